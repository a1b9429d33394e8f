// make monitor-status: what Prometheus scrapes and what fires, as Alertmanager sees it.
import { echo } from 'zx'
import type { OpsEnv } from '../../lib/env.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { PipelineContext } from '../../lib/pipeline.ts'
import {
  alertmanagerAlerts,
  prometheusAlerts,
  prometheusTargets,
} from '../../lib/monitor/client.ts'
import type { AmAlert, PromAlert } from '../../lib/monitor/client.ts'

export type StatusContext = PipelineContext & {
  env: OpsEnv
  pending?: PromAlert[]
  alerts?: AmAlert[]
  targetsDown?: number
}

const since = (iso: string): string => {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`
}

export const targets = defineStep<StatusContext>({
  name: 'targets',
  changes: false,
  run: async (c) => {
    const all = await prometheusTargets(c.env)
    const down = all.filter((t) => t.health !== 'up')
    for (const t of down)
      echo(`  down  ${t.labels.job} ${t.labels.instance}: ${t.lastError || t.health}`)
    c.targetsDown = down.length
    return `${all.length - down.length}/${all.length} up`
  },
})

export const alerts = defineStep<StatusContext>({
  name: 'alerts',
  changes: false,
  run: async (c) => {
    c.pending = (await prometheusAlerts(c.env)).filter((a) => a.state === 'pending')
    c.alerts = (await alertmanagerAlerts(c.env)).filter((a) => a.labels.alertname !== 'Watchdog')
    const rows = [
      ...c.alerts.map((a) => {
        const state =
          a.status.silencedBy.length > 0
            ? 'silenced'
            : a.status.inhibitedBy.length > 0
              ? 'inhibited'
              : 'FIRING'
        return {
          state,
          name: a.labels.alertname ?? '?',
          sev: a.labels.severity ?? '',
          at: a.startsAt,
          summary: a.annotations.summary ?? '',
        }
      }),
      ...c.pending
        .filter((a) => a.labels.alertname !== 'Watchdog')
        .map((a) => ({
          state: 'pending',
          name: a.labels.alertname ?? '?',
          sev: a.labels.severity ?? '',
          at: a.activeAt,
          summary: a.annotations.summary ?? '',
        })),
    ]
    for (const r of rows)
      echo(
        `  ${r.state.padEnd(9)} ${r.name.padEnd(26)} ${r.sev.padEnd(8)} ${since(r.at).padStart(7)}  ${r.summary}`
      )
    const firing = rows.filter((r) => r.state === 'FIRING').length
    const muted = rows.filter((r) => r.state === 'silenced' || r.state === 'inhibited').length
    return `${firing} firing, ${muted} silenced or inhibited, ${c.pending.length} pending`
  },
})
