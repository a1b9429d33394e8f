#!/usr/bin/env -S npx tsx
// Maintenance windows: silence alerts for a while (amtool in the Alertmanager container), list
// the silences, or expire them early.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv } from './lib/env.ts'
import { StopError } from './lib/errors.ts'
import { runScript } from './lib/main.ts'
import { runPipeline } from './lib/pipeline.ts'
import {
  EVERYTHING,
  addSilence,
  expireSilences,
  findAlertmanager,
  listSilences,
} from './steps/monitor/silence.ts'
import type { SilenceContext } from './steps/monitor/silence.ts'

const USAGE = `
Usage: npx tsx ops/silence.ts --for 2h --reason 'planned upgrade' [--match alertname=SiteDown,...]
       npx tsx ops/silence.ts --list                          (make silences)
       npx tsx ops/silence.ts --expire ID[,ID...]|all
  (make silence ARGS="--for 2h --reason 'planned upgrade'")

  --for      how long (30m, 2h, 1d)
  --reason   why: shown to whoever looks at the silence (required)
  --match    amtool matchers, comma-separated (default: every alert except the Watchdog,
             which keeps reaching the dead man's switch)
  --dry-run  print the amtool command
`

await runScript(async () => {
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run', 'list'],
    string: ['for', 'reason', 'match', 'expire'],
    shape: {
      'dry-run': z.boolean().default(false),
      list: z.boolean().default(false),
      for: z
        .string()
        .regex(/^\d+(m|h|d|w)$/, 'a duration such as 30m, 2h or 1d')
        .optional(),
      reason: z.string().min(3).optional(),
      match: z.string().min(3).optional(),
      expire: z
        .string()
        .regex(/^(all|[0-9a-f-]+(,[0-9a-f-]+)*)$/, 'silence ids (comma-separated) or all')
        .optional(),
    },
  })
  const action = flags.list ? 'list' : flags.expire ? 'expire' : 'add'
  if (action === 'add' && !(flags.for && flags.reason)) {
    throw new StopError(
      'a silence needs --for and --reason',
      'e.g. --for 2h --reason "planned upgrade"; see --help'
    )
  }
  const ctx: SilenceContext = {
    dryRun: flags['dry-run'],
    env: await loadOpsEnv(),
    action,
    duration: flags.for ?? '',
    ...(flags.reason ? { reason: flags.reason } : {}),
    matchers: flags.match ? flags.match.split(',').map((m) => m.trim()) : EVERYTHING,
    ...(flags.expire ? { expire: flags.expire } : {}),
  }
  await runPipeline(
    { name: 'silence', steps: [findAlertmanager, addSilence, expireSilences, listSilences] },
    ctx
  )
})
