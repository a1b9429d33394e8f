// make trivy, as a pipeline of one step: a trusted trivy found, or built into the tools cache.
import { defineStep } from '../../lib/pipeline.ts'
import type { Pipeline, PipelineContext } from '../../lib/pipeline.ts'
import { TRIVY_VERSION } from '../scan/trivy-version.ts'
import { buildTrivy, ensureTrivy, trivyCacheDir } from '../scan/trivy.ts'

export type TrivyContext = PipelineContext & {
  rebuild: boolean
  toolsDir: string
  trivyBin: string | undefined
}

const trivy = defineStep<TrivyContext>({
  name: (c) => `trivy v${TRIVY_VERSION} (cache ${trivyCacheDir(c.toolsDir)})`,
  changes: true,
  // go install downloads the module: a dropped connection is worth another try.
  retries: 2,
  plan: (c) =>
    c.rebuild
      ? `build trivy v${TRIVY_VERSION} into ${trivyCacheDir(c.toolsDir)}`
      : `use a trivy that passes, else build v${TRIVY_VERSION} into ${trivyCacheDir(c.toolsDir)}`,
  run: async (c) => {
    const tool = c.rebuild
      ? await buildTrivy(c.toolsDir)
      : await ensureTrivy({ trivyBin: c.trivyBin, toolsDir: c.toolsDir })
    return `trivy ${tool.version} (${tool.origin}: ${tool.bin})`
  },
})

export const trivyPipeline: Pipeline<TrivyContext> = { name: 'trivy', steps: [trivy] }
