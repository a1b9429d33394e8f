// The strict decoder of rendered manifests (ops/k8s-strict-decode/: a small Go program on
// k8s.io/api and apimachinery at pinned versions, go.sum committed), built once per version
// of its source: the cache folder is named by a hash of main.go, go.mod and go.sum.
import { createHash } from 'node:crypto'
import { $, fs, path } from 'zx'
import { fromRoot } from '../../lib/paths.ts'
import { buildOnce, goBuildEnv, requireGo } from './go-tool.ts'

export const STRICT_DECODE_SOURCE = fromRoot('ops', 'k8s-strict-decode')
const SOURCE_FILES = ['main.go', 'go.mod', 'go.sum']

/** A short hash of the program's source: a change to it builds a new binary. */
export async function strictDecodeHash(): Promise<string> {
  const hash = createHash('sha256')
  for (const f of SOURCE_FILES) hash.update(await fs.readFile(path.join(STRICT_DECODE_SOURCE, f)))
  return hash.digest('hex').slice(0, 12)
}

export const strictDecodeBin = (toolsDir: string, hash: string): string =>
  path.join(toolsDir, `k8s-strict-decode-${hash}`, 'k8s-strict-decode')

/** A stream of one empty document decodes to nothing and exits 0: the binary runs. (zx leaves
 * stdin open for an empty `input`, hence the separator.) */
async function runs(bin: string): Promise<boolean> {
  if (!(await fs.pathExists(bin))) return false
  const out = await $({ quiet: true, nothrow: true, timeout: '20s', input: '---\n' })`${bin}`
  return out.exitCode === 0
}

/** The cached binary for the current source when it runs, else undefined. */
export async function cachedStrictDecode(toolsDir: string): Promise<string | undefined> {
  const bin = strictDecodeBin(toolsDir, await strictDecodeHash())
  return (await runs(bin)) ? bin : undefined
}

/** `go build` of ops/k8s-strict-decode into the cache; the build's seconds (undefined: cached). */
export async function buildStrictDecode(toolsDir: string): Promise<number | undefined> {
  const bin = strictDecodeBin(toolsDir, await strictDecodeHash())
  const go = await requireGo('the strict decoder')
  return buildOnce(
    bin,
    () => runs(bin),
    async (out) => {
      await $({
        quiet: true,
        timeout: '30m',
        cwd: STRICT_DECODE_SOURCE,
        // go.sum is committed: the build uses exactly it.
        env: goBuildEnv({ GOFLAGS: '-mod=readonly -trimpath' }),
      })`${go} build -p 2 -ldflags ${'-s -w'} -o ${out} .`
    }
  )
}
