// make backup-prune, as a pipeline: restic forget by the retention policy (restic's own dry run
// lists what would go), then prune to free the data of what was forgotten.
import { echo, path } from 'zx'
import { createContext } from '../../lib/context.ts'
import type { OpsContext } from '../../lib/context.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import { createRestic } from '../../lib/restic.ts'
import type { BackupEnv, Restic, Snapshot } from '../../lib/restic.ts'
import { TAG } from '../../lib/snapshots.ts'
import { detail } from '../../lib/step.ts'
import { lockFile } from '../backup/context.ts'

export type Keep = { daily: number; weekly: number; monthly: number }

export type PruneContext = OpsContext & {
  restic: Restic
  project: string
  keep: Keep
  removed: Snapshot[]
  kept: number
}

export function createPruneContext(o: {
  env: BackupEnv
  project: string
  keep: Keep
  dryRun: boolean
}): PruneContext {
  return {
    ...createContext({ dryRun: o.dryRun }),
    restic: createRestic(o.env),
    project: o.project,
    keep: o.keep,
    removed: [],
    kept: 0,
  }
}

const line = (s: Snapshot): string =>
  `${s.short_id} ${s.time.slice(0, 19)}Z ${(s.tags ?? []).filter((t) => t !== TAG).join(' ')}`

const password = defineStep<PruneContext>({
  name: 'repository password',
  changes: false,
  run: async (c) => {
    await c.restic.requirePassword()
    return c.restic.passwordFile
  },
})

const forget = defineStep<PruneContext>({
  name: ({ keep }) =>
    `forget (keep ${keep.daily} daily, ${keep.weekly} weekly, ${keep.monthly} monthly)`,
  changes: true,
  previews: true,
  run: async (c) => {
    const groups = await c.restic.forget(c.keep, [TAG], c.dryRun)
    c.removed = groups.flatMap((g) => g.remove ?? [])
    c.kept = groups.reduce((a, g) => a + (g.keep?.length ?? 0), 0)
    const verb = c.dryRun ? 'would remove' : 'removed'
    for (const s of c.removed) detail(`${verb} ${line(s)}`)
    return `${verb} ${c.removed.length}, kept ${c.kept}`
  },
})

const prune = defineStep<PruneContext>({
  name: 'prune unused data',
  changes: true,
  plan: () => 'restic prune the data of the forgotten snapshots',
  skip: (c) => (c.dryRun || c.removed.length > 0 ? false : 'no snapshot was forgotten'),
  run: async (c) => {
    const out = await c.restic.prune()
    // restic prints `total prune: N blobs / SIZE` and `remaining: …`.
    const total = /total prune:\s*([^\n]*)/.exec(out)?.[1]?.trim()
    const left = /remaining:\s*([^\n]*)/.exec(out)?.[1]?.trim()
    return total ? `freed ${total}; ${left ?? '?'} remain` : 'done'
  },
})

const report = defineStep<PruneContext>({
  name: 'summary',
  changes: false,
  run: async (c) =>
    void echo(
      `${c.dryRun ? 'Dry run: would remove' : 'Removed'} ${c.removed.length} snapshot(s), ${c.kept} kept in ${path.basename(c.restic.repository)}`
    ),
})

export const prunePipeline: Pipeline<PruneContext> = {
  name: 'backup-prune',
  lock: (c) => ({ file: lockFile(c.project), holder: 'backup-prune' }),
  steps: [password, forget, prune, report],
}
