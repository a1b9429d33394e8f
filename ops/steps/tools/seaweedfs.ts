// SeaweedFS (Apache-2.0), the real S3 server the object-storage tests run against, built from
// the Go module proxy and cached: its go.mod has replace directives and its tags lack the `v`,
// so `go install …@version` is refused (DESIGN §6). The module source is downloaded into the
// read-only module cache, copied out, and `go build ./weed` runs inside the copy.
import { homedir } from 'node:os'
import { $, fs, path } from 'zx'
import { defineStep, runPipeline } from '../../lib/pipeline.ts'
import type { Pipeline, PipelineContext } from '../../lib/pipeline.ts'
import { StopError } from '../../lib/errors.ts'
import { detail } from '../../lib/step.ts'
import { childEnv } from '../../lib/env.ts'

/** SeaweedFS 4.53 (weed/util/version/constants.go), as the proxy names that commit. */
export const SEAWEEDFS_MODULE = 'github.com/seaweedfs/seaweedfs'
export const SEAWEEDFS_VERSION = 'v0.0.0-20261109003541-7506e5f91cd6'

export const seaweedfsDir = (version = SEAWEEDFS_VERSION): string =>
  path.join(homedir(), '.cache', 'medic-scribe', 'tools', `seaweedfs-${version}`)
export const seaweedfsBin = (version = SEAWEEDFS_VERSION): string =>
  path.join(seaweedfsDir(version), 'weed')

export type SeaweedfsContext = PipelineContext & {
  version: string
  dir: string
  bin: string
  /** Set by the first step: the cached binary exists and answers `weed version`. */
  cached?: string
  moduleDir?: string
}

/** `weed version` of a binary, or undefined when it is missing or broken. */
export async function weedVersion(bin: string): Promise<string | undefined> {
  if (!(await fs.pathExists(bin))) return undefined
  const out = await $({ quiet: true, nothrow: true, timeout: '20s' })`${bin} version`
  return out.exitCode === 0 ? out.stdout.trim().split('\n')[0] : undefined
}

const skipWhenCached = (c: SeaweedfsContext) => (c.cached ? 'cached' : false)

const probeCache = defineStep<SeaweedfsContext>({
  name: 'cached binary',
  changes: false,
  run: async (c) => {
    c.cached = await weedVersion(c.bin)
    return c.cached ? `${c.bin}: ${c.cached}` : 'none yet: building (several minutes on 2 cores)'
  },
})

const download = defineStep<SeaweedfsContext>({
  name: (c) => `go mod download ${SEAWEEDFS_MODULE}@${c.version}`,
  changes: true,
  skip: skipWhenCached,
  // From the Go module proxy: a dropped connection is worth another try.
  retries: 2,
  run: async (c) => {
    if ((await $({ nothrow: true, quiet: true, timeout: '10s' })`go version`).exitCode !== 0)
      throw new StopError('go is not installed', 'install Go 1.26.6 or newer (go.dev/dl)')
    const out = await $({
      timeout: '10m',
    })`go mod download -json ${`${SEAWEEDFS_MODULE}@${c.version}`}`
    c.moduleDir = (JSON.parse(out.stdout) as { Dir: string }).Dir
    return c.moduleDir
  },
})

const copySource = defineStep<SeaweedfsContext>({
  name: 'copy the module source out of the read-only module cache',
  changes: true,
  skip: skipWhenCached,
  run: async (c) => {
    const src = path.join(c.dir, 'src')
    await fs.remove(src)
    await fs.copy(c.moduleDir!, src)
    await $({ timeout: '2m' })`chmod -R u+w ${src}`
  },
})

const build = defineStep<SeaweedfsContext>({
  name: 'go build ./weed (GOFLAGS=-trimpath, -ldflags "-s -w")',
  changes: true,
  skip: skipWhenCached,
  run: async (c) => {
    const partial = `${c.bin}.partial`
    const started = Date.now()
    // go build prints nothing while it compiles: say it is alive every 30 s.
    const beat = setInterval(
      () => detail(`still building… ${Math.round((Date.now() - started) / 1000)} s`),
      30_000
    )
    try {
      await $({
        cwd: path.join(c.dir, 'src'),
        env: childEnv({ GOFLAGS: '-trimpath' }),
        timeout: '60m',
      })`go build -ldflags ${'-s -w'} -o ${partial} ./weed`
    } finally {
      clearInterval(beat)
    }
    await fs.rename(partial, c.bin)
    await fs.remove(path.join(c.dir, 'src'))
    return `${Math.round((Date.now() - started) / 1000)} s`
  },
})

const verify = defineStep<SeaweedfsContext>({
  name: 'weed version',
  changes: false,
  skip: (c) => (c.dryRun && !c.cached ? 'nothing built in a dry run' : false),
  run: async (c) => {
    const v = await weedVersion(c.bin)
    if (!v) throw new Error(`${c.bin} does not answer \`weed version\``)
    return v
  },
})

export const seaweedfsPipeline: Pipeline<SeaweedfsContext> = {
  name: 'seaweedfs',
  lock: (c) => (c.cached ? undefined : { file: `${c.dir}.lock`, holder: 'seaweedfs build' }),
  steps: [probeCache, download, copySource, build, verify],
}

/** Builds SeaweedFS unless the cached binary answers; returns the binary's path. */
export async function ensureSeaweedfs(
  o: { dryRun?: boolean; version?: string } = {}
): Promise<string> {
  const version = o.version ?? SEAWEEDFS_VERSION
  const ctx: SeaweedfsContext = {
    dryRun: o.dryRun ?? false,
    version,
    dir: seaweedfsDir(version),
    bin: seaweedfsBin(version),
  }
  // The cache check runs before the lock, so a cached binary needs no lock at all.
  ctx.cached = await weedVersion(ctx.bin)
  await fs.mkdirp(ctx.dir)
  await runPipeline(seaweedfsPipeline, ctx)
  return ctx.bin
}
