#!/usr/bin/env -S npx tsx
// Retention: keeps the last N daily, weekly and monthly snapshots, says which ones it removed,
// then prunes the data no snapshot uses any more.
import { echo, path } from 'zx'
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { handleError } from './lib/errors.ts'
import { step, summary, detail } from './lib/step.ts'
import { acquireLock } from './lib/lock.ts'
import type { Lock } from './lib/lock.ts'
import { createRestic, loadBackupEnv } from './lib/restic.ts'
import type { Snapshot } from './lib/restic.ts'
import { TAG, lockFile } from './steps/backup/context.ts'

const USAGE = `
Usage: npx tsx ops/backup-prune.ts [--daily N] [--weekly N] [--monthly N] [--dry-run]   (make backup-prune)

  Keeps the newest snapshot of each of the last N days, weeks and months (KEEP_DAILY=7,
  KEEP_WEEKLY=4, KEEP_MONTHLY=12 in compose/.env; the flags win), lists every snapshot it
  removes, then runs restic prune to free their data. --dry-run lists and removes nothing.
`

const line = (s: Snapshot): string =>
  `${s.short_id} ${s.time.slice(0, 19)}Z ${(s.tags ?? []).filter((t) => t !== TAG).join(' ')}`

const startedAt = performance.now()
let lock: Lock | undefined
try {
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
  const dryRun = flags['dry-run']
  const restic = createRestic(env)
  await restic.requirePassword()
  if (!dryRun)
    await step('lock', async () => {
      lock = await acquireLock(lockFile(flags.project), 'backup-prune')
      return lock.file
    })
  let removed: Snapshot[] = []
  let kept = 0
  const keep = { daily: flags.daily, weekly: flags.weekly, monthly: flags.monthly }
  await step(
    `forget (keep ${keep.daily} daily, ${keep.weekly} weekly, ${keep.monthly} monthly)`,
    async () => {
      const groups = await restic.forget(keep, [TAG], dryRun)
      removed = groups.flatMap((g) => g.remove ?? [])
      kept = groups.reduce((a, g) => a + (g.keep?.length ?? 0), 0)
      for (const s of removed) detail(`${dryRun ? 'would remove' : 'removed'} ${line(s)}`)
      return `${dryRun ? 'would remove' : 'removed'} ${removed.length}, kept ${kept}`
    }
  )
  if (!dryRun && removed.length > 0)
    await step('prune unused data', async () => {
      const out = await restic.prune()
      // restic prints `total prune: N blobs / SIZE` and `remaining: …`.
      const total = /total prune:\s*([^\n]*)/.exec(out)?.[1]?.trim()
      const left = /remaining:\s*([^\n]*)/.exec(out)?.[1]?.trim()
      return total ? `freed ${total}; ${left ?? '?'} remain` : 'done'
    })
  echo(
    `${dryRun ? 'Dry run: would remove' : 'Removed'} ${removed.length} snapshot(s), ${kept} kept in ${path.basename(restic.repository)}`
  )
} catch (err) {
  handleError(err)
} finally {
  await lock?.release()
  console.log(summary(startedAt))
}
