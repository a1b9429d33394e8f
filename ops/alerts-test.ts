#!/usr/bin/env -S npx tsx
// Sends a test notification to every configured receiver, through Alertmanager, and says which
// answered.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv } from './lib/env.ts'
import { runScript } from './lib/main.ts'
import { runPipeline } from './lib/pipeline.ts'
import { answers, receivers, send } from './steps/monitor/alerts-test.ts'
import type { AlertsTestContext } from './steps/monitor/alerts-test.ts'

const USAGE = `
Usage: npx tsx ops/alerts-test.ts [--timeout 60] [--dry-run]   (make alerts-test)

  1. lists the receivers compose/.env configures (webhook, Slack-compatible, email);
  2. posts an AlertsTest alert to Alertmanager (127.0.0.1:ALERTMANAGER_PORT), routed to all;
  3. waits (--timeout seconds) until each receiver answered or failed, from Alertmanager's
     counters, and prints which; exit 1 when one did not answer. A "resolved" follows later.
`

await runScript(async () => {
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    string: ['timeout'],
    shape: {
      'dry-run': z.boolean().default(false),
      timeout: z.coerce.number().int().min(5).max(600).default(60),
    },
  })
  const ctx: AlertsTestContext = {
    dryRun: flags['dry-run'],
    env: await loadOpsEnv(),
    timeoutMs: flags.timeout * 1000,
  }
  await runPipeline({ name: 'alerts-test', steps: [receivers, send, answers] }, ctx)
})
