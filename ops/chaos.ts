#!/usr/bin/env -S npx tsx
// Chaos drills (chaos/drills): each injects one fault while uploads, note reads and a WebSocket
// run, removes it, and checks that every acknowledged recording ends as exactly one note.
import { z } from 'zod'
import { selectDrills } from '../chaos/lib/suite.ts'
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv, projectName } from './lib/env.ts'
import { StopError } from './lib/errors.ts'
import { runScript } from './lib/main.ts'
import { runChaos } from './steps/chaos/index.ts'

const USAGE = `
Usage: npx tsx ops/chaos.ts [--drill NAME[,NAME]] [--project NAME] [--reuse FILE] [--dry-run]
       (make chaos, make chaos DRILL=api-kill)

  1. bundles the fake speech provider and builds the stress-ng image (once);
  2. starts a scratch stack with compose/compose.chaos.yml (its own project, ports and
     secrets; removed at the end), or with --project drills that running stack (the drills that
     need the chaos overlay are then skipped);
  3. runs each drill: steady state, workload, one fault, rollbacks, recovery, and checks every
     acknowledged recording (one note, same SHA-256); a journal per drill in chaos/results/;
  4. prints one table and the resilience score; exits 1 on any loss, duplicate, unclean
     refusal, or hypothesis not restored in time.

  --drill    the drills to run (default: all)
  --project  a running stack to drill instead of a scratch one (e.g. medic-scribe)
  --reuse    keep the scratch stack running, described in FILE, and use it again next time
`

await runScript(async () => {
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    string: ['drill', 'project', 'reuse'],
    shape: {
      'dry-run': z.boolean().default(false),
      drill: z.string().optional(),
      project: projectName.optional(),
      reuse: z.string().min(1).optional(),
    },
  })
  let drills
  try {
    drills = selectDrills(flags.drill || undefined)
  } catch (err) {
    throw new StopError(
      (err as Error).message,
      'make chaos DRILL=<one of them>, or no DRILL for all'
    )
  }
  await runChaos({
    dryRun: flags['dry-run'],
    env: await loadOpsEnv(),
    drills,
    project: flags.project,
    reuse: flags.reuse,
    journals: [],
  })
})
