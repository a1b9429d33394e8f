// The half of a restore that changes things, each step only after the one before succeeded:
// the snapshot is restored and checked first (a damaged one is refused before anything
// changes), a safety backup is taken, then the API is stopped and the data replaced.
import { createInterface } from 'node:readline/promises'
import { $, echo, fs, path, sleep } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { BASE_IMAGE } from '../../lib/images.ts'
import { compareManifests, describeDifference, volumeFiles } from '../../lib/manifest.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { restoreAndCompare } from '../../lib/snapshots.ts'
import { detail } from '../../lib/step.ts'
import { liveTableCounts, stackState, volumeHostPath, withPostgres } from '../../lib/volumes.ts'
import { DB_DUMP } from '../backup/context.ts'
import { runBackup } from '../backup/index.ts'
import type { RestoreContext } from './context.ts'
import { liveFiles, remaining } from './objects.ts'

const q = $({ quiet: true, timeout: '60m' })

const RESTORE_VOLUMES = `set -eu
for a in audio notes; do
  find "/data/$a" -mindepth 1 -delete
  if [ -d "/in/$a" ]; then cp -a "/in/$a/." "/data/$a/"; fi
  chown -R 1000:1000 "/data/$a"
done`

async function ask(question: string): Promise<boolean> {
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
    const out = await $({
      quiet: true,
      nothrow: true,
      timeout: '30s',
    })`docker inspect -f {{.State.Health.Status}} ${container}`
    if (out.stdout.trim() === 'healthy') return
    if (Date.now() > deadline)
      throw new StopError(
        `${container} is not healthy after ${timeoutMs / 1000} s (${out.stdout.trim()})`,
        `docker logs ${container}`
      )
    await sleep(1000)
  }
}

export const confirm = defineStep<RestoreContext>({
  name: 'confirmation',
  changes: true,
  plan: () => 'ask for confirmation (--yes skips the question)',
  skip: (c) => (c.yes ? 'confirmed by --yes' : false),
  run: async (c) => {
    if (!(await ask(`Replace the data of ${c.project} with snapshot ${c.snap!.short_id}?`)))
      throw new StopError('not confirmed: nothing changed', 'run again and answer y, or pass --yes')
    return 'confirmed'
  },
})

export const check = defineStep<RestoreContext>({
  name: (c) => `restore ${c.snap?.short_id ?? 'the snapshot'} and check it`,
  changes: true,
  plan: (c) => `restore the snapshot into ${c.scratch} and check every file against its manifest`,
  run: async (c) => {
    const res = await restoreAndCompare(c.restic, c.snap!, c.scratch)
    if (res.problems.length) {
      for (const p of res.problems) detail(`✗ ${p}`)
      throw new StopError(
        `refusing to restore: snapshot ${c.snap!.short_id} is damaged (${res.problems[0]}); nothing changed`,
        'run make backup-verify, then restore an older snapshot: make restore ARGS="--snapshot ID"'
      )
    }
    return `${res.manifest!.files.length} files match the manifest`
  },
})

export const safety = defineStep<RestoreContext>({
  name: 'safety backup',
  changes: true,
  plan: () => 'take a safety backup of the current state (tagged safety)',
  skip: (c) => (c.state!.existing.size > 0 ? false : 'no volumes yet'),
  run: async (c) => {
    const result = await runBackup({
      project: c.project,
      env: c.env,
      dryRun: false,
      tags: ['safety'],
      lockHeld: true,
      // What is being restored is often what is missing: keep the rest rather than stop.
      partial: true,
    })
    c.safety = result?.snapshotId
    return c.safety ? `snapshot ${c.safety}` : 'none'
  },
})

export const stopApi = defineStep<RestoreContext>({
  name: 'stop the api',
  changes: true,
  plan: (c) => `stop ${c.state!.containers.get('api')?.name ?? 'the api'}`,
  skip: (c) => (c.state!.containers.get('api')?.running ? false : 'the api is not running'),
  run: async (c) => {
    const api = c.state!.containers.get('api')!
    c.apiWasRunning = true
    c.changing = true
    await q`docker stop -t 25 ${api.name}`
    return api.name
  },
})

/**
 * Moves the checked files from the scratch folder into the volumes' own folders, with no byte
 * copied, when they are on this machine and on one mount with it; false (nothing moved) if not.
 */
async function moveIntoVolumes(c: RestoreContext): Promise<boolean> {
  const { audio, notes } = c.state!.volumes
  const hosts = { audio: await volumeHostPath(audio), notes: await volumeHostPath(notes) }
  if (!hosts.audio || !hosts.notes || !c.scratchVolume) return false
  for (const name of ['audio', 'notes'] as const) {
    const dest = hosts[name]!
    await fs.emptyDir(dest)
    const from = path.join(c.scratch, name)
    if (await fs.pathExists(from))
      for (const entry of await fs.readdir(from))
        await fs.rename(path.join(from, entry), path.join(dest, entry))
    await q`chown -R 1000:1000 ${dest}`
  }
  return true
}

/**
 * Where the snapshot is restored and checked: a throwaway volume beside the stack's own when
 * the engine is local and we are root (its files can then be moved into place), else build/.
 */
export const scratch = defineStep<RestoreContext>({
  name: 'scratch space',
  changes: true,
  plan: (c) => `make a scratch volume ${c.project}_restore-scratch (or use ${c.scratch})`,
  run: async (c) => {
    const name = `${c.project}_restore-scratch`
    if (process.getuid?.() !== 0) return c.scratch
    await q`docker volume create --label medic-scribe.scratch=restore ${name}`
    const host = await volumeHostPath(name)
    if (!host) {
      await q`docker volume rm ${name}`.nothrow()
      return c.scratch
    }
    c.scratchVolume = name
    c.scratch = path.join(host, 'restore')
    return `volume ${name}`
  },
})

export const volumes = defineStep<RestoreContext>({
  name: 'restore the volumes',
  changes: true,
  skip: (c) => (c.bucket ? 'STORAGE=s3: the objects step puts the files back' : false),
  plan: (c) => `replace ${c.state!.volumes.audio} and ${c.state!.volumes.notes}`,
  run: async (c) => {
    c.changing = true
    const count = volumeFiles(c.manifest!.files).length
    const moved = await moveIntoVolumes(c).catch((err: NodeJS.ErrnoException) => {
      // Another mount after all: the copy below replaces whatever was moved.
      if (err.code === 'EXDEV') return false
      throw err
    })
    if (moved) return `${count} files moved into place`
    const { audio, notes } = c.state!.volumes
    await q`docker run --rm --network none -v ${audio}:/data/audio -v ${notes}:/data/notes -v ${c.scratch}:/in:ro ${BASE_IMAGE} sh -c ${RESTORE_VOLUMES}`
    return `${count} files copied`
  },
})

export const database = defineStep<RestoreContext>({
  name: 'restore the database and compare with the manifest',
  changes: true,
  plan: () => 'replace the database scribe in one transaction, then compare files and rows',
  run: async (c) => {
    const m = c.manifest!
    const state = await stackState(c.project)
    const dump = path.join(c.scratch, DB_DUMP)
    const { files: live, tables } = await withPostgres(state, c.env, async (pg) => {
      // One transaction: the schema is emptied and reloaded, or left as it was.
      await q`{ echo 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;'; docker exec -i ${pg} pg_restore --no-owner -f - < ${dump}; } | docker exec -i ${pg} psql -U scribe -d scribe -v ON_ERROR_STOP=1 -q --single-transaction`
      return { files: await liveFiles({ ...c, state }), tables: await liveTableCounts(pg) }
    })
    const files = volumeFiles(m.files)
    const left = remaining(
      c,
      compareManifests({ files, tables: m.tables }, { files: live, tables })
    )
    if (left.length) {
      for (const d of left) detail(`✗ ${describeDifference(d)}`)
      throw new StopError(
        `the restored stack differs from the manifest in ${left.length} place(s): ${describeDifference(left[0]!)}`,
        `the API is left stopped; the safety backup is ${c.safety ?? 'none'}`
      )
    }
    c.changing = false
    const rows = Object.values(m.tables).reduce((a, b) => a + b, 0)
    return `${files.length} files and ${rows} rows in ${Object.keys(tables).length} tables match`
  },
})

export const startApi = defineStep<RestoreContext>({
  name: 'start the api',
  changes: true,
  plan: () => 'start the api again if it was running, and wait until it is healthy',
  skip: (c) => (c.apiWasRunning ? false : 'the stack was not running: start it with make up'),
  run: async (c) => {
    const api = c.state!.containers.get('api')!
    await q`docker start ${api.name}`
    await waitHealthy(api.name, 180_000)
    echo(
      `Restored snapshot ${c.snap!.short_id} into ${c.project}${c.safety ? ` (safety backup: ${c.safety})` : ''}`
    )
    return `${api.name} is healthy`
  },
})

/** The scratch copy is clear patient data: never left behind. */
export const cleanup = defineStep<RestoreContext>({
  name: 'remove the scratch copy',
  changes: true,
  run: async (c) => {
    await fs.remove(c.scratch)
    if (c.scratchVolume) await q`docker volume rm ${c.scratchVolume}`
  },
})
