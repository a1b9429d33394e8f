// Builds the admin Status answers from the fixed queries: the tiles with their current values,
// the alerts Alertmanager holds, and a tile's series over a range.
import type {
  AdminStatus,
  StatusAlert,
  StatusMetric,
  StatusSeries,
  StatusSeriesQuery,
  Tile,
} from '../contract/admin.ts'
import { STATUS_METRICS } from '../contract/admin.ts'
import type { AlertmanagerAlert, MonitorClient } from './prometheus.ts'
import { MonitorUnavailableError } from './prometheus.ts'
import { TILE_QUERIES } from './queries.ts'

const RANGE_SECONDS = { '1h': 3600, '6h': 6 * 3600, '24h': 24 * 3600 } as const
/** Points per chart (plus one): enough for a phone-wide sparkline, few enough to stay cheap. */
const POINTS = 240

async function tilesOf(client: MonitorClient, metric: StatusMetric, at: Date): Promise<Tile[]> {
  const q = TILE_QUERIES[metric]
  const samples = await client.instant(q.expr, at)
  const base = { metric, unit: q.unit, threshold: q.threshold }
  if (samples.length === 0)
    return [{ ...base, series: '', label: q.label, value: null, state: q.absent }]
  return samples
    .map((s) => {
      const series = q.by ? (s.labels[q.by] ?? '') : ''
      return {
        ...base,
        series,
        label: series ? `${q.label}: ${series}` : q.label,
        value: s.value,
        state: s.value === null ? q.absent : q.state(s.value),
      }
    })
    .sort((a, b) => a.series.localeCompare(b.series))
}

/** Alertmanager's view, without the Watchdog (always firing, on purpose). */
export function statusAlerts(list: AlertmanagerAlert[]): StatusAlert[] {
  return list
    .filter((a) => a.labels.alertname !== 'Watchdog' && a.status?.state !== 'unprocessed')
    .map((a) => ({
      name: a.labels.alertname ?? 'unnamed',
      severity: a.labels.severity ?? 'none',
      summary: a.annotations.summary ?? '',
      since: a.startsAt,
      state: (a.status.silencedBy?.length
        ? 'silenced'
        : a.status.inhibitedBy?.length
          ? 'inhibited'
          : 'firing') as StatusAlert['state'],
    }))
    .sort((a, b) => a.since.localeCompare(b.since))
}

export async function buildStatus(client: MonitorClient | undefined, now: Date) {
  const unavailable = (reason: string): { status: 503; body: AdminStatus } => ({
    status: 503,
    body: {
      generated_at: now.toISOString(),
      monitor: { available: false, reason },
      tiles: [],
      alerts: [],
    },
  })
  if (!client)
    return unavailable('the monitor is not configured: start the stack with make up ARGS=--monitor')
  const alerts = client.alerts().then(
    (list) => ({ list, reason: list ? null : 'ALERTMANAGER_URL is not set: alerts are not shown' }),
    (err: unknown) => {
      if (!(err instanceof MonitorUnavailableError)) throw err
      return { list: null, reason: `${err.message}: alerts are not shown` }
    }
  )
  try {
    const tiles = (await Promise.all(STATUS_METRICS.map((m) => tilesOf(client, m, now)))).flat()
    const { list, reason } = await alerts
    const body: AdminStatus = {
      generated_at: now.toISOString(),
      monitor: { available: true, reason },
      tiles,
      alerts: list ? statusAlerts(list) : [],
    }
    return { status: 200 as const, body }
  } catch (err) {
    if (err instanceof MonitorUnavailableError) return unavailable(err.message)
    throw err
  }
}

export async function buildSeries(
  client: MonitorClient,
  { metric, range }: StatusSeriesQuery,
  now: Date
): Promise<StatusSeries> {
  const q = TILE_QUERIES[metric]
  const span = RANGE_SECONDS[range]
  const step = Math.ceil(span / POINTS)
  // Ending now, not at the last whole step: on a fresh install the only data is minutes old.
  const end = Math.floor(now.getTime() / 1000)
  const start = end - span
  const rows = await client.range(q.expr, start, end, step)
  const timestamps: number[] = []
  for (let t = start; t <= end; t += step) timestamps.push(t)
  const index = new Map(timestamps.map((t, i) => [t, i]))
  const series = rows
    .map((r) => {
      const values: (number | null)[] = timestamps.map(() => null)
      for (const [t, v] of r.points) {
        const i = index.get(Math.round(t))
        if (i !== undefined) values[i] = v
      }
      const name = q.by ? (r.labels[q.by] ?? '') : ''
      return { series: name, label: name ? `${q.label}: ${name}` : q.label, values }
    })
    .sort((a, b) => a.series.localeCompare(b.series))
  return { metric, range, step_seconds: step, timestamps, series }
}
