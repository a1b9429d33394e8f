#!/usr/bin/env -S npx tsx
// Backs up the stack at one point in time: a pg_dump (custom format) first, then the audio and
// notes files that dump references, a manifest of every file's SHA-256 and every table's rows,
// all stored by restic (encrypted, deduplicated, incremental). Works with the stack stopped.
import { hostname } from 'node:os'
import { $, echo, fs, path } from 'zx'
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { StopError } from './lib/errors.ts'
import { isMainModule, runScript } from './lib/main.ts'
import { step, detail, formatSeconds } from './lib/step.ts'
import { fromRoot } from './lib/paths.ts'
import { BASE_IMAGE } from './lib/images.ts'
import { acquireLock } from './lib/lock.ts'
import type { Lock } from './lib/lock.ts'
import { createRestic, formatBytes, loadBackupEnv } from './lib/restic.ts'
import type { BackupEnv, BackupSummary } from './lib/restic.ts'
import { MANIFEST_FILE, hashTree, parseDumpData } from './lib/manifest.ts'
import type { Manifest } from './lib/manifest.ts'
import { stackState, withPostgres } from './lib/volumes.ts'

const USAGE = `
Usage: npx tsx ops/backup.ts [--project NAME] [--tag TAG] [--dry-run]   (make backup)

  1. takes a lock (build/backup/<project>.lock): a second run stops with the holder's pid;
  2. pg_dump -Fc of the database (a temporary postgres on the pgdata volume if the stack is down);
  3. copies the audio and notes files that dump references (+ .orphans/) from the volumes;
  4. writes manifest.json: every file's size and SHA-256, every table's row count;
  5. restic backup into RESTIC_REPOSITORY (default backups/), with progress and a summary.

  --project  the compose project (default COMPOSE_PROJECT_NAME or medic-scribe)
  Settings (compose/.env, or the file SCRIBE_ENV_FILE names, or the environment):
  RESTIC_REPOSITORY, RESTIC_SFTP_COMMAND (see RUNBOOK.md), RESTIC_PASSWORD_FILE (default ~/.config/medic-scribe/restic-password, created on the first backup: keep a copy
  somewhere else: without it the backups cannot be read).
  Schedule: ops/systemd/medic-scribe-backup.timer, or cron (RUNBOOK.md#backups):
  15 2 * * * cd /srv/medic-scribe && PATH=/usr/local/bin:/usr/bin:/bin make backup >>/var/log/medic-scribe-backup.log 2>&1
`

export const DB_DUMP = 'db/scribe.dump'
export const TAG = 'medic-scribe'
const REFERENCED = [
  'public.recordings.audio_path',
  'public.note_versions.json_path',
  'public.note_versions.markdown_path',
]

export const workDir = (project: string): string => fromRoot('build', 'backup', project)
export const lockFile = (project: string): string => fromRoot('build', 'backup', `${project}.lock`)
const q = $({ quiet: true })

// Copies the referenced files (and .orphans/) out of the volumes, as root in a throwaway
// container, then hands them to the invoking user so restic need not run as root.
const COPY_SCRIPT = `set -eu
cd /data
: > /work/present.txt; : > /work/missing.txt
while IFS= read -r p; do
  if [ -f "$p" ]; then printf '%s\\n' "$p" >> /work/present.txt; else printf '%s\\n' "$p" >> /work/missing.txt; fi
done < /work/wanted.txt
for a in audio notes; do
  if [ -d "$a/.orphans" ]; then find "$a/.orphans" -type f >> /work/present.txt; fi
done
find audio notes -type f ! -path '*/.tmp/*' | wc -l > /work/total.txt
mkdir -p /out/audio /out/notes
tar -cf - --verbatim-files-from -T /work/present.txt | tar -C /out -xpf -
chown -R "$OWNER" /out`

export type BackupResult = { snapshotId: string; manifest: Manifest; summary: BackupSummary }

export async function runBackup(opts: {
  project: string
  env: BackupEnv
  dryRun: boolean
  tags?: string[]
  lockHeld?: boolean
}): Promise<BackupResult | undefined> {
  const { project, env, dryRun } = opts
  const restic = createRestic(env)
  // The lock comes first: two runs started together (a timer and an operator) must not both
  // create the password file or the repository, nor share the staging folder.
  let lock: Lock | undefined
  if (!opts.lockHeld && !dryRun)
    await step('lock', async () => {
      lock = await acquireLock(lockFile(project), `backup of ${project}`)
      return lock.file
    })
  try {
    await step('repository', async () => {
      if (await restic.ensurePassword(dryRun)) {
        echo(`
  ************************************************************************************
  A new repository password was written to ${restic.passwordFile} (mode 600).
  Store a copy outside this machine NOW (a password manager, a sealed envelope):
  without it, no backup in ${restic.repository} can ever be read.
  ************************************************************************************`)
      }
      if (await restic.exists()) return `${restic.repository} is ready`
      if (dryRun) return `would create a restic repository at ${restic.repository}`
      await restic.init()
      return `created a restic repository at ${restic.repository}`
    })
    const state = await stackState(project)
    const missingVolumes = Object.values(state.volumes).filter((v) => !state.existing.has(v))
    if (missingVolumes.length)
      throw new StopError(
        `no volume ${missingVolumes.join(', ')} for the project ${project}`,
        'check --project (docker volume ls shows <project>_audio, _notes, _pgdata)'
      )
    if (dryRun) {
      detail(
        `would dump the database, copy the referenced files of ${state.volumes.audio} and ${state.volumes.notes}, write a manifest, then restic backup`
      )
      return undefined
    }
    const base = workDir(project)
    const staging = path.join(base, 'staging')
    const work = path.join(base, 'work')
    // A clear copy of patient data: only this user may read it, and it is removed afterwards.
    await fs.mkdirp(base, { mode: 0o700 })
    await fs.chmod(base, 0o700)
    await fs.emptyDir(staging)
    await fs.emptyDir(work)
    await fs.mkdirp(path.join(staging, 'db'))
    let tables: Record<string, number> = {}
    let wanted: string[] = []
    await step('database dump', async () => {
      const dump = path.join(staging, DB_DUMP)
      const data = await withPostgres(state, env, async (c) => {
        await q`docker exec ${c} pg_dump -U scribe -d scribe -Fc > ${dump}`
        return (await q`docker exec -i ${c} pg_restore --data-only -f - < ${dump}`).stdout
      })
      const parsed = parseDumpData(data, REFERENCED)
      tables = parsed.tables
      wanted = [
        ...parsed.values.get(REFERENCED[0]!)!.map((p) => `audio/${p}`),
        ...parsed.values.get(REFERENCED[1]!)!.map((p) => `notes/${p}`),
        ...parsed.values.get(REFERENCED[2]!)!.map((p) => `notes/${p}`),
      ]
      const rows = Object.values(tables).reduce((a, b) => a + b, 0)
      return `${formatBytes((await fs.stat(dump)).size)}, ${Object.keys(tables).length} tables, ${rows} rows, ${wanted.length} files referenced`
    })
    await step('files', async () => {
      await fs.writeFile(path.join(work, 'wanted.txt'), wanted.map((p) => `${p}\n`).join(''))
      const owner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`
      await q`docker run --rm --network none -e OWNER=${owner} -v ${state.volumes.audio}:/data/audio:ro -v ${state.volumes.notes}:/data/notes:ro -v ${staging}:/out -v ${work}:/work ${BASE_IMAGE} sh -c ${COPY_SCRIPT}`
      const missing = (await fs.readFile(path.join(work, 'missing.txt'), 'utf8'))
        .split('\n')
        .filter(Boolean)
      if (missing.length)
        throw new StopError(
          `${missing.length} file(s) the database references are not in the volumes: ${missing.slice(0, 3).join(', ')}`,
          'they were lost before this backup; see RUNBOOK.md#backups (restore them from an older snapshot)'
        )
      const present = (await fs.readFile(path.join(work, 'present.txt'), 'utf8'))
        .split('\n')
        .filter(Boolean).length
      const total = Number((await fs.readFile(path.join(work, 'total.txt'), 'utf8')).trim())
      const later = total - present
      return `${present} files${later > 0 ? `; ${later} written after the dump began, left for the next backup` : ''}`
    })
    let manifest: Manifest | undefined
    await step('manifest', async () => {
      const files = await hashTree(staging)
      manifest = { version: 1, project, createdAt: new Date().toISOString(), files, tables }
      await fs.writeFile(
        path.join(staging, MANIFEST_FILE),
        `${JSON.stringify(manifest, null, 1)}\n`
      )
      const bytes = files.reduce((a, f) => a + f.size, 0)
      return `${files.length} files, ${formatBytes(bytes)}`
    })
    let result: BackupSummary | undefined
    await step('restic backup', async () => {
      let last = 0
      result = await restic.backup(
        staging,
        [TAG, `project=${project}`, `host=${hostname()}`, ...(opts.tags ?? [])],
        (s) => {
          if (Date.now() - last < 2000) return
          last = Date.now()
          detail(
            `${Math.round(s.percent_done * 100)}% ${s.files_done ?? 0}/${s.total_files ?? '?'} files, ${formatBytes(s.bytes_done ?? 0)}/${formatBytes(s.total_bytes ?? 0)}`
          )
        }
      )
      return `snapshot ${result.snapshot_id}`
    })
    const r = result!
    echo(
      `Backup ${r.snapshot_id}: ${r.total_files_processed} files, ${formatBytes(r.total_bytes_processed)}, ${formatBytes(r.data_added)} new (${r.files_new} new, ${r.files_changed} changed, ${r.files_unmodified} unchanged files) in ${formatSeconds(r.total_duration)} → ${restic.repository}`
    )
    return { snapshotId: r.snapshot_id, manifest: manifest!, summary: r }
  } finally {
    if (!dryRun) {
      await fs.remove(path.join(workDir(project), 'staging'))
      await fs.remove(path.join(workDir(project), 'work'))
    }
    await lock?.release()
  }
}

if (isMainModule(import.meta.filename)) {
  await runScript(async () => {
    const env = await loadBackupEnv()
    const flags = parseArgs({
      usage: USAGE,
      boolean: ['dry-run'],
      string: ['project', 'tag'],
      shape: {
        'dry-run': z.boolean().default(false),
        project: z
          .string()
          .regex(/^[a-z0-9][a-z0-9_-]*$/)
          .default(env.COMPOSE_PROJECT_NAME),
        tag: z
          .string()
          .regex(/^[\w=.-]+$/)
          .optional(),
      },
    })
    await runBackup({
      project: flags.project,
      env,
      dryRun: flags['dry-run'],
      tags: flags.tag ? [flags.tag] : [],
    })
  })
}
