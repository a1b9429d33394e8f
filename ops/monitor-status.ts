#!/usr/bin/env -S npx tsx
// What the monitor sees right now: targets down, alerts firing, pending, silenced, inhibited.
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv } from './lib/env.ts'
import { runScript } from './lib/main.ts'
import { runPipeline } from './lib/pipeline.ts'
import { alerts, targets } from './steps/monitor/status.ts'
import type { StatusContext } from './steps/monitor/status.ts'

const USAGE = `
Usage: npx tsx ops/monitor-status.ts   (make monitor-status)

  Asks Prometheus (127.0.0.1:PROMETHEUS_PORT, default 9090) which targets are down and which
  alerts are pending, and Alertmanager (127.0.0.1:ALERTMANAGER_PORT, default 9093) which fire,
  and which of those are silenced or inhibited. Read-only. RUNBOOK.md#monitoring-and-alerts.
`

await runScript(async () => {
  parseArgs({ usage: USAGE, shape: {} })
  const ctx: StatusContext = { dryRun: false, env: await loadOpsEnv() }
  await runPipeline({ name: 'monitor-status', steps: [targets, alerts] }, ctx)
})
