// Renders each overlay with kustomize into build/k8s/<overlay>.yaml: what `kubectl apply -k`
// would send. A broken kustomization stops that overlay, named; the others still render.
import { $, fs, path } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { detail } from '../../lib/step.ts'
import type { K8sValidateContext } from './context.ts'

const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? ''

export const render = defineStep<K8sValidateContext>({
  name: (c) => `render ${c.overlays.join(', ')} (kustomize build)`,
  changes: false,
  skip: (c) => (c.kustomize ? false : 'no kustomize yet (a dry run builds nothing)'),
  run: async (c) => {
    await fs.emptyDir(c.outDir)
    const failed: string[] = []
    for (const overlay of c.overlays) {
      const out = await $({
        quiet: true,
        nothrow: true,
        timeout: '2m',
      })`${c.kustomize!} build ${path.join(c.dir, 'overlays', overlay)}`
      if (out.exitCode !== 0) {
        failed.push(`${overlay}: ${lastLine(out.stderr)}`)
        continue
      }
      const file = path.join(c.outDir, `${overlay}.yaml`)
      await fs.writeFile(file, out.stdout)
      const kinds = out.stdout.match(/^kind: /gm)?.length ?? 0
      detail(`${overlay}: ${kinds} objects → ${path.relative(process.cwd(), file)}`)
      c.rendered.push({ overlay, file })
    }
    if (failed.length)
      throw new StopError(
        `kustomize could not render: ${failed.join('; ')}`,
        `fix the kustomization (kustomize build ${path.join(c.dir, 'overlays', '<overlay>')})`
      )
    return `${c.rendered.length} overlays`
  },
})
