#!/usr/bin/env -S npx tsx
// Proves the newest backup can be read back: restic check reads every pack, then the snapshot
// is restored into a scratch folder and every file compared with its manifest.
import { $, echo, fs, path } from 'zx'
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { StopError } from './lib/errors.ts'
import { isMainModule, runScript } from './lib/main.ts'
import { step, detail } from './lib/step.ts'
import { createRestic, formatBytes, loadBackupEnv } from './lib/restic.ts'
import type { Restic, Snapshot } from './lib/restic.ts'
import {
  MANIFEST_FILE,
  compareManifests,
  describeDifference,
  hashTree,
  parseDumpData,
} from './lib/manifest.ts'
import type { Manifest } from './lib/manifest.ts'
import { DB_DUMP, TAG, workDir } from './steps/backup/context.ts'

const USAGE = `
Usage: npx tsx ops/backup-verify.ts [--snapshot ID] [--quick] [--project NAME]   (make backup-verify)

  1. restic check --read-data: every pack file is read and its checksum verified
     (--quick: the structure only, no pack data read);
  2. restores the newest snapshot (or --snapshot ID) into build/backup/<project>/verify;
  3. compares every file with the snapshot's manifest (size and SHA-256) and every
     table's row count in the dump with it.
  Any damage is listed by name (pack file, and the files whose data it held) and the exit is 1.
`

/**
 * The snapshot asked for (an id prefix), or the newest one (of `project` when given; safety
 * backups taken by a restore are only picked by id).
 */
export async function pickSnapshot(
  restic: Restic,
  id?: string,
  project?: string
): Promise<Snapshot> {
  const all = (await restic.snapshots([TAG])).sort((a, b) => a.time.localeCompare(b.time))
  const newest = all.filter(
    (s) =>
      !s.tags?.includes('safety') &&
      (project === undefined || s.tags?.includes(`project=${project}`))
  )
  const found = id ? all.find((s) => s.id.startsWith(id)) : newest.at(-1)
  if (!found)
    throw new StopError(
      id
        ? `no snapshot ${id} in ${restic.repository}`
        : `no backup${project ? ` of ${project}` : ''} in ${restic.repository} yet`,
      id
        ? 'list them with: restic snapshots (or make backup-prune ARGS=--dry-run)'
        : 'run make backup'
    )
  return found
}

/** Restores a snapshot into `target` and compares it with its own manifest; the problems. */
export async function restoreAndCompare(
  restic: Restic,
  snap: Snapshot,
  target: string
): Promise<{ problems: string[]; manifest?: Manifest }> {
  // A clear copy of patient data: the folder above is for this user only.
  await fs.mkdirp(path.dirname(target), { mode: 0o700 })
  await fs.chmod(path.dirname(target), 0o700)
  await fs.emptyDir(target)
  const problems: string[] = []
  const restored = await restic.restore(snap.id, target)
  if (!restored.ok) problems.push(...restored.errors.slice(0, 20).map((e) => `restic: ${e}`))
  let manifest: Manifest | undefined
  try {
    manifest = JSON.parse(await fs.readFile(path.join(target, MANIFEST_FILE), 'utf8')) as Manifest
  } catch {
    problems.push(`${MANIFEST_FILE}: missing or unreadable in snapshot ${snap.short_id}`)
    return { problems }
  }
  const files = await hashTree(target)
  const diffs = compareManifests({ files: manifest.files, tables: {} }, { files, tables: {} })
  problems.push(...diffs.map((d) => `damaged: ${describeDifference(d)}`))
  return { problems, manifest }
}

if (isMainModule(import.meta.filename)) {
  await runScript(async () => {
    const env = await loadBackupEnv()
    const flags = parseArgs({
      usage: USAGE,
      boolean: ['quick'],
      string: ['snapshot', 'project'],
      shape: {
        quick: z.boolean().default(false),
        snapshot: z
          .string()
          .regex(/^[0-9a-f]{4,64}$/)
          .optional(),
        project: z.string().default(env.COMPOSE_PROJECT_NAME),
      },
    })
    const restic = createRestic(env)
    await restic.requirePassword()
    const problems: string[] = []
    await step(`restic check${flags.quick ? '' : ' --read-data'}`, async () => {
      const res = await restic.check(!flags.quick)
      if (res.ok) return 'no errors'
      const packs = new Set<string>()
      for (const line of res.lines) {
        if (!/error|fail|mismatch|does not match|damaged/i.test(line)) continue
        const m = /\b([0-9a-f]{64})\b/.exec(line)
        if (m) packs.add(m[1]!)
        detail(line.trim())
      }
      if (packs.size === 0) problems.push('restic check failed (see above)')
      for (const pack of packs) {
        const files = await restic.filesInPack(pack)
        problems.push(
          `damaged pack ${pack} (data/${pack.slice(0, 2)}/${pack})${files.length ? `: holds data of ${files.slice(0, 10).join(', ')}${files.length > 10 ? ` and ${files.length - 10} more` : ''}` : ''}`
        )
      }
      throw new StopError(`${packs.size} damaged pack(s)`, 'listed below')
    }).catch((err: unknown) => {
      if (!(err instanceof StopError)) throw err
    })
    const snap = await pickSnapshot(restic, flags.snapshot)
    const target = path.join(workDir(flags.project), 'verify')
    await step(`restore ${snap.short_id} (${snap.time.slice(0, 19)}Z) and compare`, async () => {
      const res = await restoreAndCompare(restic, snap, target)
      problems.push(...res.problems)
      const dump = path.join(target, DB_DUMP)
      if (res.manifest && (await fs.pathExists(dump))) {
        // The dump must load: its row counts are read back with pg_restore in a container.
        const out = await $({
          quiet: true,
          nothrow: true,
        })`docker run --rm -i --network none --entrypoint pg_restore medic-scribe/postgres:${env.SCRIBE_TAG} --data-only -f - < ${dump}`
        if (!out.ok) problems.push(`damaged: ${DB_DUMP} does not load: ${out.stderr.trim()}`)
        else {
          const { tables } = parseDumpData(out.stdout, [])
          for (const d of compareManifests(
            { files: [], tables: res.manifest.tables },
            { files: [], tables }
          ))
            problems.push(`damaged: ${describeDifference(d)}`)
        }
      }
      if (problems.length) throw new StopError(`${problems.length} problem(s)`, 'listed below')
      const bytes = res.manifest?.files.reduce((a, f) => a + f.size, 0) ?? 0
      return `${res.manifest?.files.length ?? 0} files (${formatBytes(bytes)}), ${Object.keys(res.manifest?.tables ?? {}).length} tables checked`
    }).catch((err: unknown) => {
      if (!(err instanceof StopError)) throw err
    })
    await fs.remove(target)
    if (problems.length) {
      for (const p of problems) echo(`  ✗ ${p}`)
      throw new StopError(
        `verify failed: ${problems.length} problem(s), first: ${problems[0]!.slice(0, 200)}`,
        'see RUNBOOK.md#backups: take a new backup now (make backup), then repair the repository (restic repair / rebuild-index)'
      )
    }
    echo(`Verified snapshot ${snap.short_id}: every pack, file and table matches`)
  })
}
