#!/usr/bin/env -S npx tsx
// Backs up the stack at one point in time: a pg_dump (custom format) first, then the audio and
// notes files that dump references, a manifest of every file's SHA-256 and every table's rows,
// all stored by restic (encrypted, deduplicated, incremental). Works with the stack stopped.
// The steps live in ops/steps/backup/.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { projectName } from './lib/env.ts'
import { runScript } from './lib/main.ts'
import { loadBackupEnv } from './lib/restic.ts'
import { runBackup } from './steps/backup/index.ts'

const USAGE = `
Usage: npx tsx ops/backup.ts [--project NAME] [--tag TAG] [--dry-run]   (make backup)

  1. takes a lock (build/backup/<project>.lock): a second run stops with the holder's pid;
  2. pg_dump -Fc of the database (a temporary postgres on the pgdata volume if the stack is down);
  3. copies the audio and notes files that dump references (+ .orphans/) from the volumes,
     or with STORAGE=s3 mirrors those objects from the bucket into build/backup/<project>/mirror
     (only new or changed ones, by ETag and size) and takes them from there;
  4. writes manifest.json: every file's size and SHA-256, every table's row count;
  5. restic backup into RESTIC_REPOSITORY (default backups/), with progress and a summary.

  --project  the compose project (default COMPOSE_PROJECT_NAME or medic-scribe)
  Settings (compose/.env, or the file SCRIBE_ENV_FILE names, or the environment):
  RESTIC_REPOSITORY, RESTIC_SFTP_COMMAND (see RUNBOOK.md), STORAGE and S3_* as for the API
  (S3_BACKUP_ENDPOINT if this machine reaches the bucket at another URL), RESTIC_PASSWORD_FILE (default ~/.config/medic-scribe/restic-password, created on the first backup: keep a copy
  somewhere else: without it the backups cannot be read).
  Schedule: ops/systemd/medic-scribe-backup.timer, or cron (RUNBOOK.md#backups):
  15 2 * * * cd /srv/medic-scribe && PATH=/usr/local/bin:/usr/bin:/bin make backup >>/var/log/medic-scribe-backup.log 2>&1
`

await runScript(async () => {
  const env = await loadBackupEnv()
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    string: ['project', 'tag'],
    shape: {
      'dry-run': z.boolean().default(false),
      project: projectName.default(env.COMPOSE_PROJECT_NAME),
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
