#!/usr/bin/env -S npx tsx
// Retention: keeps the last N daily, weekly and monthly snapshots, says which ones it removed,
// then prunes the data no snapshot uses any more.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { runScript } from './lib/main.ts'
import { runPipeline } from './lib/pipeline.ts'
import { loadBackupEnv } from './lib/restic.ts'
import { createPruneContext, prunePipeline } from './steps/prune/index.ts'

const USAGE = `
Usage: npx tsx ops/backup-prune.ts [--daily N] [--weekly N] [--monthly N] [--dry-run]   (make backup-prune)

  Keeps the newest snapshot of each of the last N days, weeks and months (KEEP_DAILY=7,
  KEEP_WEEKLY=4, KEEP_MONTHLY=12 in compose/.env; the flags win), lists every snapshot it
  removes, then runs restic prune to free their data. --dry-run lists and removes nothing.
`

await runScript(async () => {
  const env = await loadBackupEnv()
  const count = z.coerce.number().int().min(0)
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    string: ['daily', 'weekly', 'monthly', 'project'],
    shape: {
      'dry-run': z.boolean().default(false),
      daily: count.default(env.KEEP_DAILY),
      weekly: count.default(env.KEEP_WEEKLY),
      monthly: count.default(env.KEEP_MONTHLY),
      project: z.string().default(env.COMPOSE_PROJECT_NAME),
    },
  })
  const keep = { daily: flags.daily, weekly: flags.weekly, monthly: flags.monthly }
  const ctx = createPruneContext({ env, project: flags.project, keep, dryRun: flags['dry-run'] })
  await runPipeline(prunePipeline, ctx)
})
