// make backup-verify, as a pipeline: restic check (every pack read), then the snapshot restored
// into a scratch folder and every file and table compared with its manifest. Problems are
// collected across both steps, so one run lists all of them; the scratch copy is always removed.
import { $, echo, fs, path } from 'zx'
import { createContext } from '../../lib/context.ts'
import type { OpsContext } from '../../lib/context.ts'
import { StopError } from '../../lib/errors.ts'
import { compareManifests, describeDifference, parseDumpData } from '../../lib/manifest.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import { formatBytes } from '../../lib/restic.ts'
import type { BackupEnv, Restic, Snapshot } from '../../lib/restic.ts'
import { createRestic } from '../../lib/restic.ts'
import { pickSnapshot, restoreAndCompare } from '../../lib/snapshots.ts'
import { detail } from '../../lib/step.ts'
import { DB_DUMP, workDir } from '../backup/context.ts'

export type VerifyContext = OpsContext & {
  env: BackupEnv
  restic: Restic
  project: string
  snapshotId?: string
  quick: boolean
  target: string
  problems: string[]
  snap?: Snapshot
}

export function createVerifyContext(o: {
  env: BackupEnv
  project: string
  snapshotId?: string
  quick: boolean
}): VerifyContext {
  return {
    ...createContext({ dryRun: false }),
    ...o,
    restic: createRestic(o.env),
    target: path.join(workDir(o.project), 'verify'),
    problems: [],
  }
}

const password = defineStep<VerifyContext>({
  name: 'repository password',
  changes: false,
  run: async (c) => {
    await c.restic.requirePassword()
    return c.restic.passwordFile
  },
})

const check = defineStep<VerifyContext>({
  name: (c) => `restic check${c.quick ? '' : ' --read-data'}`,
  changes: false,
  run: async (c) => {
    const res = await c.restic.check(!c.quick)
    if (res.ok) return 'no errors'
    const packs = new Set<string>()
    for (const line of res.lines) {
      if (!/error|fail|mismatch|does not match|damaged/i.test(line)) continue
      const m = /\b([0-9a-f]{64})\b/.exec(line)
      if (m) packs.add(m[1]!)
      detail(line.trim())
    }
    if (packs.size === 0) c.problems.push('restic check failed (see above)')
    for (const pack of packs) {
      const files = await c.restic.filesInPack(pack)
      c.problems.push(
        `damaged pack ${pack} (data/${pack.slice(0, 2)}/${pack})${files.length ? `: holds data of ${files.slice(0, 10).join(', ')}${files.length > 10 ? ` and ${files.length - 10} more` : ''}` : ''}`
      )
    }
    return `${packs.size} damaged pack(s), listed at the end`
  },
})

const snapshot = defineStep<VerifyContext>({
  name: 'snapshot',
  changes: false,
  run: async (c) => {
    c.snap = await pickSnapshot(c.restic, c.snapshotId)
    return `${c.snap.short_id} (${c.snap.time.slice(0, 19)}Z)`
  },
})

const compare = defineStep<VerifyContext>({
  name: (c) => `restore ${c.snap?.short_id ?? 'the snapshot'} and compare`,
  changes: false,
  run: async (c) => {
    const res = await restoreAndCompare(c.restic, c.snap!, c.target)
    c.problems.push(...res.problems)
    const dump = path.join(c.target, DB_DUMP)
    if (res.manifest && (await fs.pathExists(dump))) {
      // The dump must load: its row counts are read back with pg_restore in a container.
      const out = await $({
        quiet: true,
        nothrow: true,
        timeout: '30m',
      })`docker run --rm -i --network none --entrypoint pg_restore medic-scribe/postgres:${c.env.SCRIBE_TAG} --data-only -f - < ${dump}`
      if (!out.ok) c.problems.push(`damaged: ${DB_DUMP} does not load: ${out.stderr.trim()}`)
      else {
        const { tables } = parseDumpData(out.stdout, [])
        for (const d of compareManifests(
          { files: [], tables: res.manifest.tables },
          { files: [], tables }
        ))
          c.problems.push(`damaged: ${describeDifference(d)}`)
      }
    }
    const bytes = res.manifest?.files.reduce((a, f) => a + f.size, 0) ?? 0
    return `${res.manifest?.files.length ?? 0} files (${formatBytes(bytes)}), ${Object.keys(res.manifest?.tables ?? {}).length} tables checked`
  },
})

const verdict = defineStep<VerifyContext>({
  name: 'verdict',
  changes: false,
  run: async (c) => {
    if (c.problems.length) {
      for (const p of c.problems) echo(`  ✗ ${p}`)
      throw new StopError(
        `verify failed: ${c.problems.length} problem(s), first: ${c.problems[0]!.slice(0, 200)}`,
        'see RUNBOOK.md#backups: take a new backup now (make backup), then repair the repository (restic repair / rebuild-index)'
      )
    }
    echo(`Verified snapshot ${c.snap!.short_id}: every pack, file and table matches`)
  },
})

const cleanup = defineStep<VerifyContext>({
  name: 'remove the scratch copy',
  changes: true,
  run: async (c) => void (await fs.remove(c.target)),
})

export const verifyPipeline: Pipeline<VerifyContext> = {
  name: 'backup-verify',
  steps: [password, check, snapshot, compare, verdict],
  always: [cleanup],
}
