// kustomize, which renders deploy/kubernetes/, built from the Go module proxy at a pinned
// release and cached (make k8s-validate builds it on first use: about a minute of CPU).
// v5.8.3 needs Go 1.27; v5.8.2 is the newest release the machines' Go 1.26 builds.
import { $, path } from 'zx'
import { answers, buildOnce, goBuildEnv, requireGo } from './go-tool.ts'

export const KUSTOMIZE_MODULE = 'sigs.k8s.io/kustomize/kustomize/v5'
export const KUSTOMIZE_VERSION = 'v5.8.2'

export const kustomizeBin = (toolsDir: string): string =>
  path.join(toolsDir, `kustomize-${KUSTOMIZE_VERSION}`, 'kustomize')

/** The cached binary when it runs, else undefined. */
export async function cachedKustomize(toolsDir: string): Promise<string | undefined> {
  const bin = kustomizeBin(toolsDir)
  return (await answers(bin, ['version'])) ? bin : undefined
}

/** `go install` of the pinned release into the cache; the build's seconds (undefined: cached). */
export async function buildKustomize(toolsDir: string): Promise<number | undefined> {
  const bin = kustomizeBin(toolsDir)
  const go = await requireGo('kustomize')
  return buildOnce(
    bin,
    () => answers(bin, ['version']),
    async (out) => {
      const gobin = path.join(path.dirname(out), 'gobin')
      await $({
        quiet: true,
        timeout: '30m',
        env: goBuildEnv({ GOBIN: gobin }),
      })`${go} install -p 2 -ldflags ${'-s -w'} ${`${KUSTOMIZE_MODULE}@${KUSTOMIZE_VERSION}`}`
      await $({ quiet: true, timeout: '1m' })`mv ${path.join(gobin, 'kustomize')} ${out}`
      await $({ quiet: true, timeout: '1m' })`rm -rf ${gobin}`
    }
  )
}
