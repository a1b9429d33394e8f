#!/usr/bin/env -S npx tsx
// Restores a backup into the stack: the snapshot is restored and checked first (a damaged one is
// refused before anything changes), a safety backup is taken, the API stopped, the volumes and
// the database replaced, everything compared with the manifest, and the API started again.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { projectName } from './lib/env.ts'
import { runScript } from './lib/main.ts'
import { runPipeline } from './lib/pipeline.ts'
import { loadBackupEnv } from './lib/restic.ts'
import { createRestoreContext } from './steps/restore/context.ts'
import type { RestoreContext } from './steps/restore/context.ts'
import { restorePipeline } from './steps/restore/index.ts'

const USAGE = `
Usage: npx tsx ops/restore.ts [--snapshot ID] [--project NAME] [--from-project NAME] [--yes] [--dry-run]
  (make restore)

  Replaces the audio and notes volumes and the database of the project with a snapshot
  (the newest, or --snapshot ID):
  1. says what will be replaced and asks for confirmation (--yes skips the question);
  2. restores the snapshot into build/backup/<project>/restore and checks every file against
     its manifest: a damaged snapshot is refused before anything changes;
  3. a safety backup of the current state (tagged safety);
  4. stops the API, replaces the volumes (STORAGE=s3: puts back every object the bucket lacks
     or holds with other bytes, each with its SHA-256) and the database, compares files and
     rows with the manifest, starts the API and waits until it is healthy.
  --dry-run lists exactly which files and row counts would change, and changes nothing.
  A snapshot of another project is refused, unless --from-project names it (moving a stack's
  data to a new project or machine).
`

let ctx: RestoreContext | undefined
await runScript(async () => {
  const env = await loadBackupEnv()
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run', 'yes'],
    string: ['snapshot', 'project', 'from-project'],
    shape: {
      'dry-run': z.boolean().default(false),
      yes: z.boolean().default(false),
      snapshot: z
        .string()
        .regex(/^[0-9a-f]{4,64}$/)
        .optional(),
      project: projectName.default(env.COMPOSE_PROJECT_NAME),
      'from-project': projectName.optional(),
    },
  })
  ctx = createRestoreContext({
    env,
    project: flags.project,
    yes: flags.yes,
    dryRun: flags['dry-run'],
    ...(flags.snapshot ? { snapshotId: flags.snapshot } : {}),
    ...(flags['from-project'] ? { fromProject: flags['from-project'] } : {}),
  })
  await runPipeline(restorePipeline, ctx)
})
if (ctx?.changing)
  console.error(
    `  the restore stopped half-way${ctx.safety ? `: the state before it is snapshot ${ctx.safety}: make restore ARGS="--snapshot ${ctx.safety} --yes"` : ''}`
  )
