// make alerts-test: one test alert through Alertmanager to every configured receiver, and which
// of them answered, read from Alertmanager's own counters of notification requests.
import { randomBytes } from 'node:crypto'
import { sleep } from 'zx'
import type { OpsEnv } from '../../lib/env.ts'
import { StopError } from '../../lib/errors.ts'
import { TEST_ALERT, configuredIntegrations } from '../../lib/monitor/alertmanager-config.ts'
import type { Integration } from '../../lib/monitor/alertmanager-config.ts'
import { alertmanagerMetrics, postAlerts } from '../../lib/monitor/client.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { PipelineContext } from '../../lib/pipeline.ts'
import { detail } from '../../lib/step.ts'

export type Counts = Record<string, { requests: number; failed: number }>

export type AlertsTestContext = PipelineContext & {
  env: OpsEnv
  timeoutMs: number
  integrations?: Integration[]
  before?: Counts
  results?: Record<string, 'answered' | 'failed' | 'no answer'>
}

/**
 * alertmanager_notification_requests_total and ..._failed_total by integration, counting only
 * the operators' receiver where Alertmanager labels it (0.28+), so the Watchdog's webhook to the
 * dead man's switch does not count as the operators' webhook answering.
 */
export function notificationCounts(metrics: string): Counts {
  const out: Counts = {}
  const re = /^alertmanager_notification_requests(_failed)?_total\{([^}]*)\} ([0-9.e+]+)$/gm
  for (const m of metrics.matchAll(re)) {
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]])
    )
    if (labels.receiver_name !== undefined && labels.receiver_name !== 'operators') continue
    const key = labels.integration ?? '?'
    const c = (out[key] ??= { requests: 0, failed: 0 })
    if (m[1]) c.failed += Number(m[3])
    else c.requests += Number(m[3])
  }
  return out
}

export const receivers = defineStep<AlertsTestContext>({
  name: 'receivers',
  changes: false,
  run: async (c) => {
    c.integrations = configuredIntegrations(c.env)
    if (c.integrations.length === 0) {
      throw new StopError(
        'no receiver is configured',
        'set ALERT_WEBHOOK_URL, ALERT_SLACK_WEBHOOK_URL or ALERT_EMAIL_TO (+ SMTP_*) in compose/.env, then make up ARGS=--monitor (RUNBOOK.md#receivers)'
      )
    }
    c.before = notificationCounts(await alertmanagerMetrics(c.env))
    return c.integrations.join(', ')
  },
})

export const send = defineStep<AlertsTestContext>({
  name: 'send a test alert',
  changes: true,
  plan: () => `post a ${TEST_ALERT} alert to Alertmanager, routed to every receiver`,
  run: async (c) => {
    const testId = `${new Date().toISOString()}-${randomBytes(2).toString('hex')}`
    const now = Date.now()
    await postAlerts(c.env, [
      {
        labels: { alertname: TEST_ALERT, severity: 'none', test_id: testId },
        annotations: {
          summary: 'Test notification from make alerts-test: nothing to do, the receiver works.',
          runbook_url: `${c.env.ALERT_RUNBOOK_URL}#receivers`,
        },
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 5 * 60_000).toISOString(),
      },
    ])
    return `test_id=${testId}`
  },
})

export const answers = defineStep<AlertsTestContext>({
  name: 'wait for the receivers',
  changes: true,
  plan: () => 'wait until every receiver answered or failed',
  run: async (c) => {
    const deadline = Date.now() + c.timeoutMs
    const before = c.before ?? {}
    const results: NonNullable<AlertsTestContext['results']> = {}
    for (;;) {
      const now = notificationCounts(await alertmanagerMetrics(c.env))
      for (const i of c.integrations ?? []) {
        const d = (k: 'requests' | 'failed') => (now[i]?.[k] ?? 0) - (before[i]?.[k] ?? 0)
        if (d('requests') - d('failed') > 0) results[i] = 'answered'
        else if (d('failed') > 0) results[i] = 'failed'
      }
      const open = (c.integrations ?? []).filter((i) => !results[i])
      if (open.length === 0 || Date.now() > deadline) {
        for (const i of open) results[i] = 'no answer'
        break
      }
      await sleep(500)
    }
    c.results = results
    for (const [i, r] of Object.entries(results)) detail(`${i.padEnd(8)} ${r}`)
    const bad = Object.entries(results).filter(([, r]) => r !== 'answered')
    if (bad.length > 0) {
      throw new StopError(
        `${bad.map(([i, r]) => `${i}: ${r}`).join(', ')}`,
        'read why in `make logs ARGS=alertmanager`, fix the setting in compose/.env and run make up ARGS=--monitor'
      )
    }
    return `${Object.keys(results).length} answered`
  },
})
