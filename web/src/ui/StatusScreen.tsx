// The operator's Status screen (admins only): is the site up, is the queue moving, is there
// disk, a backup, a certificate; each tile with its 24-hour line, and the alerts Alertmanager
// holds. Read through the API (GET /api/admin/status), never from Prometheus directly.
import { useCallback, useEffect, useState } from 'react'
import { ApiError, getAdminStatus, getStatusSeries } from '../lib/api.ts'
import type { AdminStatus, StatusMetric, StatusSeries, Tile } from '../lib/types.ts'
import { STATE_TEXT, describeSeries, formatValue } from './status-format.ts'
import { Sparkline } from './Sparkline.tsx'

/** Every 30 s: the tiles' own data moves at Prometheus's scrape interval (15 s). */
const REFRESH_MS = 30_000

/** Fewer samples than this in a day (a monitor started minutes ago): show the last hour. */
const MIN_POINTS = 10

async function seriesFor(metric: StatusMetric): Promise<StatusSeries> {
  const day = await getStatusSeries(metric, '24h')
  const points = Math.max(0, ...day.series.map((s) => s.values.filter((v) => v !== null).length))
  return points >= MIN_POINTS ? day : getStatusSeries(metric, '1h')
}

type View =
  | { kind: 'loading' }
  | { kind: 'forbidden' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; status: AdminStatus }

function TileCard({ tile, series }: { tile: Tile; series: StatusSeries | undefined }) {
  const line = series?.series.find((s) => s.series === tile.series)
  return (
    <li className={`tile tile-${tile.state}`}>
      <h2>{tile.label}</h2>
      <p className="tile-value">{formatValue(tile)}</p>
      <p className="tile-state">{STATE_TEXT[tile.state]}</p>
      {series && (
        <Sparkline
          timestamps={series.timestamps}
          values={line?.values ?? series.timestamps.map(() => null)}
          threshold={tile.threshold}
          state={tile.state}
          label={describeSeries(tile, line?.values ?? [], series.range)}
        />
      )}
    </li>
  )
}

export default function StatusScreen() {
  const [view, setView] = useState<View>({ kind: 'loading' })
  const [series, setSeries] = useState<Partial<Record<StatusMetric, StatusSeries>>>({})

  const load = useCallback(async () => {
    try {
      const status = await getAdminStatus()
      setView({ kind: 'ready', status })
      const metrics = [...new Set(status.tiles.map((t) => t.metric))]
      const lines = await Promise.all(metrics.map((m) => seriesFor(m).catch(() => null)))
      setSeries(Object.fromEntries(lines.filter((l) => l !== null).map((l) => [l.metric, l])))
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) setView({ kind: 'forbidden' })
      else setView({ kind: 'error', message: (err as Error).message })
    }
  }, [])
  useEffect(() => {
    void load()
    const timer = setInterval(() => void load(), REFRESH_MS)
    return () => clearInterval(timer)
  }, [load])

  if (view.kind === 'forbidden')
    return (
      <>
        <h1 tabIndex={-1}>Status</h1>
        <p className="notice" role="alert">
          Admins only: this screen is for the people who run this server. An admin can give you
          access with <code>make user-stack ARGS=&quot;grant-admin your-email&quot;</code>.
        </p>
      </>
    )
  return (
    <>
      <h1 tabIndex={-1}>Status</h1>
      {view.kind === 'loading' && <p role="status">Loading the status…</p>}
      {view.kind === 'error' && (
        <p className="notice" role="alert">
          The status could not be loaded: {view.message}
        </p>
      )}
      {view.kind === 'ready' && (
        <>
          {!view.status.monitor.available ? (
            <p className="notice" role="alert">
              The monitor is not running, so there is nothing to show: {view.status.monitor.reason}
            </p>
          ) : (
            view.status.monitor.reason && <p className="notice">{view.status.monitor.reason}</p>
          )}
          <p className="muted">
            Updated {new Date(view.status.generated_at).toLocaleTimeString()}; charts show the last
            24 hours, or the last hour while the monitor holds less (dashed: the alert threshold).
          </p>
          <ul className="tiles" aria-label="Health">
            {view.status.tiles.map((t) => (
              <TileCard key={`${t.metric}/${t.series}`} tile={t} series={series[t.metric]} />
            ))}
          </ul>
          {view.status.monitor.available && (
            <section aria-labelledby="alerts-title">
              <h2 id="alerts-title">Alerts</h2>
              {view.status.alerts.length === 0 ? (
                <p>No alert is firing.</p>
              ) : (
                <ul className="alerts">
                  {view.status.alerts.map((a) => (
                    <li key={`${a.name}/${a.since}`} className={`alert alert-${a.state}`}>
                      <strong>{a.name}</strong> <span className="badge">{a.state}</span>{' '}
                      <span className="muted">
                        {a.severity}, since {new Date(a.since).toLocaleString()}
                      </span>
                      <br />
                      {a.summary}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )}
        </>
      )}
    </>
  )
}
