#!/usr/bin/env -S npx tsx
// Restores a backup into the stack: the snapshot is restored and checked first (a damaged one is
// refused before anything changes), a safety backup is taken, the API stopped, the volumes and
// the database replaced, everything compared with the manifest, and the API started again.
import { createInterface } from 'node:readline/promises'
import { $, echo, fs, path, sleep } from 'zx'
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { StopError, handleError } from './lib/errors.ts'
import { step, summary, detail } from './lib/step.ts'
import { BASE_IMAGE } from './lib/images.ts'
import { acquireLock } from './lib/lock.ts'
import type { Lock } from './lib/lock.ts'
import { createRestic, formatBytes, loadBackupEnv } from './lib/restic.ts'
import { compareManifests, describeDifference, volumeFiles } from './lib/manifest.ts'
import type { Difference, Manifest } from './lib/manifest.ts'
import { DB_DUMP, lockFile, workDir } from './steps/backup/context.ts'
import { runBackup } from './steps/backup/index.ts'
import { liveTableCounts, liveVolumeFiles, stackState, withPostgres } from './lib/volumes.ts'
import { pickSnapshot, restoreAndCompare } from './backup-verify.ts'

const USAGE = `
Usage: npx tsx ops/restore.ts [--snapshot ID] [--project NAME] [--yes] [--dry-run]   (make restore)

  Replaces the audio and notes volumes and the database of the project with a snapshot
  (the newest, or --snapshot ID):
  1. says what will be replaced and asks for confirmation (--yes skips the question);
  2. restores the snapshot into build/backup/<project>/restore and checks every file against
     its manifest: a damaged snapshot is refused before anything changes;
  3. a safety backup of the current state (tagged safety);
  4. stops the API, replaces the volumes and the database, compares files and rows with the
     manifest, starts the API and waits until it is healthy.
  --dry-run lists exactly which files and row counts would change, and changes nothing.
`

const q = $({ quiet: true })

const RESTORE_VOLUMES = `set -eu
for a in audio notes; do
  find "/data/$a" -mindepth 1 -delete
  if [ -d "/in/$a" ]; then cp -a "/in/$a/." "/data/$a/"; fi
  chown -R 1000:1000 "/data/$a"
done`

function plan(diffs: Difference[]): string[] {
  const verb = { missing: 'add', extra: 'remove', changed: 'replace', rows: 'rows' } as const
  return diffs.map((d) =>
    d.kind === 'rows' ? `table ${d.what}: ${d.detail}` : `${verb[d.kind]} ${d.what} (${d.detail})`
  )
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY)
    throw new StopError('not a terminal and no --yes', 'pass --yes to restore without asking')
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}

async function waitHealthy(container: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const out = await q`docker inspect -f {{.State.Health.Status}} ${container}`.nothrow()
    if (out.stdout.trim() === 'healthy') return
    if (Date.now() > deadline)
      throw new StopError(
        `${container} is not healthy after ${timeoutMs / 1000} s (${out.stdout.trim()})`,
        `docker logs ${container}`
      )
    await sleep(1000)
  }
}

const startedAt = performance.now()
let lock: Lock | undefined
let safety: string | undefined
let changing = false
let scratch: string | undefined
try {
  const env = await loadBackupEnv()
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run', 'yes'],
    string: ['snapshot', 'project'],
    shape: {
      'dry-run': z.boolean().default(false),
      yes: z.boolean().default(false),
      snapshot: z
        .string()
        .regex(/^[0-9a-f]{4,64}$/)
        .optional(),
      project: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]*$/)
        .default(env.COMPOSE_PROJECT_NAME),
    },
  })
  const { project } = flags
  const dryRun = flags['dry-run']
  const restic = createRestic(env)
  await restic.requirePassword()
  if (!dryRun)
    await step('lock', async () => {
      lock = await acquireLock(lockFile(project), `restore of ${project}`)
      return lock.file
    })
  const snap = await pickSnapshot(restic, flags.snapshot, project)
  let manifest: Manifest | undefined
  let state = await stackState(project)
  let diffs: Difference[] = []
  await step('compare the snapshot with the stack', async () => {
    manifest = JSON.parse(await restic.dump(snap.id, '/manifest.json')) as Manifest
    const files = await liveVolumeFiles(state)
    const tables = state.existing.has(state.volumes.pgdata)
      ? await withPostgres(state, env, liveTableCounts)
      : {}
    diffs = compareManifests(
      { files: volumeFiles(manifest.files), tables: manifest.tables },
      { files, tables }
    )
    return `${diffs.length} difference(s)`
  })
  const m = manifest!
  const files = volumeFiles(m.files)
  const rows = Object.values(m.tables).reduce((a, b) => a + b, 0)
  echo(
    `Restore snapshot ${snap.short_id} of ${m.project} (taken ${m.createdAt}) into the project ${project}:\n` +
      `  replaces the volumes ${state.volumes.audio} and ${state.volumes.notes} with ${files.length} files (${formatBytes(files.reduce((a, f) => a + f.size, 0))})\n` +
      `  replaces the database scribe with ${Object.keys(m.tables).length} tables, ${rows} rows\n` +
      `  the API (${state.containers.get('api')?.name ?? 'not created'}) is stopped meanwhile`
  )
  const lines = plan(diffs)
  for (const line of dryRun ? lines : lines.slice(0, 20)) detail(line)
  if (!dryRun && lines.length > 20) detail(`… and ${lines.length - 20} more (--dry-run lists all)`)
  if (lines.length === 0) detail('the stack already matches the snapshot')
  if (dryRun) {
    echo('dry run: nothing changed')
  } else {
    if (
      !flags.yes &&
      !(await confirm(`Replace the data of ${project} with snapshot ${snap.short_id}?`))
    )
      throw new StopError('not confirmed: nothing changed', 'run again and answer y, or pass --yes')
    const restored = path.join(workDir(project), 'restore')
    scratch = restored
    await step(`restore ${snap.short_id} and check it`, async () => {
      const res = await restoreAndCompare(restic, snap, restored)
      if (res.problems.length) {
        for (const p of res.problems) detail(`✗ ${p}`)
        throw new StopError(
          `refusing to restore: snapshot ${snap.short_id} is damaged (${res.problems[0]}); nothing changed`,
          'run make backup-verify, then restore an older snapshot: make restore ARGS="--snapshot ID"'
        )
      }
      return `${res.manifest!.files.length} files match the manifest`
    })
    if (state.existing.size > 0) {
      const result = await runBackup({
        project,
        env,
        dryRun: false,
        tags: ['safety'],
        lockHeld: true,
      })
      safety = result?.snapshotId
    } else detail('no volumes yet: no safety backup needed')
    const api = state.containers.get('api')
    const wasRunning = api?.running ?? false
    changing = true
    if (api?.running)
      await step('stop the api', async () => {
        await q`docker stop -t 25 ${api.name}`
        return api.name
      })
    await step('restore the volumes', async () => {
      await q`docker run --rm --network none -v ${state.volumes.audio}:/data/audio -v ${state.volumes.notes}:/data/notes -v ${restored}:/in:ro ${BASE_IMAGE} sh -c ${RESTORE_VOLUMES}`
      return `${files.length} files`
    })
    state = await stackState(project)
    await step('restore the database and compare with the manifest', async () => {
      const dump = path.join(restored, DB_DUMP)
      const { files: live, tables } = await withPostgres(state, env, async (c) => {
        // One transaction: the schema is emptied and reloaded, or left as it was.
        await q`{ echo 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;'; docker exec -i ${c} pg_restore --no-owner -f - < ${dump}; } | docker exec -i ${c} psql -U scribe -d scribe -v ON_ERROR_STOP=1 -q --single-transaction`
        return { files: await liveVolumeFiles(state), tables: await liveTableCounts(c) }
      })
      const left = compareManifests({ files, tables: m.tables }, { files: live, tables })
      if (left.length) {
        for (const d of left) detail(`✗ ${describeDifference(d)}`)
        throw new StopError(
          `the restored stack differs from the manifest in ${left.length} place(s): ${describeDifference(left[0]!)}`,
          `the API is left stopped; the safety backup is ${safety ?? 'none'}`
        )
      }
      return `${files.length} files and ${rows} rows in ${Object.keys(tables).length} tables match`
    })
    changing = false
    if (wasRunning && api)
      await step('start the api', async () => {
        await q`docker start ${api.name}`
        await waitHealthy(api.name, 180_000)
        return `${api.name} is healthy`
      })
    else detail('the stack was not running: start it with make up')
    echo(
      `Restored snapshot ${snap.short_id} into ${project}${safety ? ` (safety backup: ${safety})` : ''}`
    )
  }
} catch (err) {
  handleError(err)
  if (changing)
    console.error(
      `  the restore stopped half-way${safety ? `: the state before it is snapshot ${safety}: make restore ARGS="--snapshot ${safety} --yes"` : ''}`
    )
} finally {
  // The scratch copy is clear patient data: never left behind.
  if (scratch) await fs.remove(scratch)
  await lock?.release()
  console.log(summary(startedAt))
}
