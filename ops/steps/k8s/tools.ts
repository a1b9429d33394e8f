// The three tools, each found in the cache or built once: kustomize and the strict decoder
// from the Go module proxy, Trivy the way make scan finds or builds it.
import { defineStep } from '../../lib/pipeline.ts'
import { ensureTrivy, findTrivy } from '../scan/trivy.ts'
import { TRIVY_VERSION } from '../scan/trivy-version.ts'
import { buildStrictDecode, cachedStrictDecode } from '../tools/k8s-strict-decode.ts'
import {
  KUSTOMIZE_VERSION,
  buildKustomize,
  cachedKustomize,
  kustomizeBin,
} from '../tools/kustomize.ts'
import { strictDecodeBin, strictDecodeHash } from '../tools/k8s-strict-decode.ts'
import type { K8sValidateContext } from './context.ts'

const built = (seconds: number | undefined) =>
  seconds === undefined ? 'built by another run meanwhile' : `built in ${Math.round(seconds)} s`

export const kustomizeTool = defineStep<K8sValidateContext>({
  name: `kustomize ${KUSTOMIZE_VERSION}`,
  changes: true,
  plan: () => `build kustomize ${KUSTOMIZE_VERSION} from the Go module proxy into the cache`,
  skip: (c) => (c.kustomize ? `cached (${c.kustomize})` : false),
  run: async (c) => {
    const seconds = await buildKustomize(c.toolsDir)
    c.kustomize = kustomizeBin(c.toolsDir)
    return built(seconds)
  },
})

export const decoderTool = defineStep<K8sValidateContext>({
  name: 'strict decoder (k8s.io/api, ops/k8s-strict-decode)',
  changes: true,
  plan: () => 'build ops/k8s-strict-decode (k8s.io/api + apimachinery) into the cache',
  skip: (c) => (c.decoder ? `cached (${c.decoder})` : false),
  run: async (c) => {
    const seconds = await buildStrictDecode(c.toolsDir)
    c.decoder = strictDecodeBin(c.toolsDir, await strictDecodeHash())
    return built(seconds)
  },
})

export const trivyTool = defineStep<K8sValidateContext>({
  name: `trivy ${TRIVY_VERSION}`,
  changes: true,
  plan: () => `build trivy v${TRIVY_VERSION} into the cache (make trivy)`,
  skip: (c) => (c.trivy ? `found (${c.trivy.origin}: ${c.trivy.bin})` : false),
  run: async (c) => {
    c.trivy = await ensureTrivy({ trivyBin: c.trivyBin, toolsDir: c.toolsDir })
    return `${c.trivy.version} (${c.trivy.origin})`
  },
})

/** The cached tools, looked up before the pipeline so a dry run shows what would be built. */
export async function findCachedTools(c: K8sValidateContext): Promise<void> {
  c.kustomize = await cachedKustomize(c.toolsDir)
  c.decoder = await cachedStrictDecode(c.toolsDir)
  c.trivy = await findTrivy({ trivyBin: c.trivyBin, toolsDir: c.toolsDir })
}
