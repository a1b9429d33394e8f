// trivy-fixture-db (tests/support/trivy-fixture-db/): the small Go program that writes a Trivy
// vulnerability database from bolt-fixtures YAML the way Trivy's own tests do, with the trivy-db
// module trivy v0.74.0 requires. Built from the Go module proxy (go.sum pins every module) and
// cached by the content hash of its source, so a changed program is rebuilt and an unchanged one
// costs nothing.
import { createHash } from 'node:crypto'
import { homedir } from 'node:os'
import { $, fs, path } from 'zx'
import { goBuildEnv } from './go-tool.ts'
import { StopError } from '../../lib/errors.ts'
import { fromRoot } from '../../lib/paths.ts'
import { defineStep, runPipeline } from '../../lib/pipeline.ts'
import type { Pipeline, PipelineContext } from '../../lib/pipeline.ts'
import { detail } from '../../lib/step.ts'

export const FIXTURE_DB_SOURCE = fromRoot('tests', 'support', 'trivy-fixture-db')
const SOURCE_FILES = ['go.mod', 'go.sum', 'main.go']

/** The first 12 hex digits of the SHA-256 over the program's files (names and contents). */
export async function fixtureDbHash(src = FIXTURE_DB_SOURCE): Promise<string> {
  const h = createHash('sha256')
  for (const f of SOURCE_FILES) h.update(`${f}\0`).update(await fs.readFile(path.join(src, f)))
  return h.digest('hex').slice(0, 12)
}

export type FixtureDbContext = PipelineContext & {
  dir: string
  bin: string
  cached: boolean
}

/** Without arguments the program prints its usage and exits 2: proof it runs. */
async function answers(bin: string): Promise<boolean> {
  if (!(await fs.pathExists(bin))) return false
  const out = await $({ quiet: true, nothrow: true, timeout: '20s' })`${bin}`
  return out.exitCode === 2 && out.stderr.includes('usage: trivy-fixture-db')
}

const build = defineStep<FixtureDbContext>({
  name: 'go build trivy-fixture-db (trivy-db and bolt-fixtures from the Go module proxy)',
  changes: true,
  skip: (c) => (c.cached ? 'cached' : false),
  run: async (c) => {
    if ((await $({ nothrow: true, quiet: true, timeout: '10s' })`go version`).exitCode !== 0)
      throw new StopError('go is not installed', 'install Go 1.26.3 or newer (go.dev/dl)')
    const partial = `${c.bin}.partial`
    const started = Date.now()
    await $({
      quiet: true,
      cwd: FIXTURE_DB_SOURCE,
      timeout: '20m',
      // go.sum decides every module version; the build never edits go.mod.
      env: goBuildEnv({ GOFLAGS: '-mod=readonly -trimpath' }),
    })`go build -ldflags ${'-s -w'} -o ${partial} .`
    await fs.rename(partial, c.bin)
    return `${Math.round((Date.now() - started) / 1000)} s`
  },
})

const verify = defineStep<FixtureDbContext>({
  name: 'trivy-fixture-db answers',
  changes: false,
  skip: (c) => (c.dryRun && !c.cached ? 'nothing built in a dry run' : false),
  run: async (c) => {
    if (!(await answers(c.bin))) throw new Error(`${c.bin} does not print its usage`)
    return c.bin
  },
})

export const fixtureDbPipeline: Pipeline<FixtureDbContext> = {
  name: 'trivy-fixture-db',
  lock: (c) => (c.cached ? undefined : { file: `${c.dir}.lock`, holder: 'trivy-fixture-db build' }),
  steps: [build, verify],
}

/** Builds the program unless the cached binary of this source answers; its path. */
export async function ensureTrivyFixtureDb(
  o: { dryRun?: boolean; toolsDir?: string } = {}
): Promise<string> {
  const toolsDir = o.toolsDir ?? path.join(homedir(), '.cache', 'medic-scribe', 'tools')
  const dir = path.join(toolsDir, `trivy-fixture-db-${await fixtureDbHash()}`)
  const bin = path.join(dir, 'trivy-fixture-db')
  const ctx: FixtureDbContext = { dryRun: o.dryRun ?? false, dir, bin, cached: await answers(bin) }
  await fs.mkdirp(dir)
  if (!ctx.cached) detail(`building ${bin} (about a minute; module downloads on a fresh machine)`)
  await runPipeline(fixtureDbPipeline, ctx)
  return bin
}
