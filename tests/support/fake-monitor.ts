// A stand-in for Prometheus and Alertmanager on 127.0.0.1, answering their HTTP APIs in the
// shapes they really use (Prometheus /api/v1/query and /api/v1/query_range, Alertmanager
// /api/v2/alerts), from canned series keyed by the query text. It records every query, so a
// test sees that only the fixed queries are ever sent.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export type CannedSeries = { labels: Record<string, string>; value: number }

export async function startFakeMonitor(opts: {
  /** Instant and range answers by exact query text; a query not listed answers no series. */
  series: Record<string, CannedSeries[]>
  alerts: unknown[]
}) {
  const state = { queries: [] as string[], alertsFailing: false }
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (url.pathname === '/api/v2/alerts') {
      if (state.alertsFailing) return send(500, 'internal error')
      return send(200, opts.alerts)
    }
    const query = url.searchParams.get('query') ?? ''
    state.queries.push(query)
    const canned = opts.series[query] ?? []
    if (url.pathname === '/api/v1/query') {
      const at = Number(url.searchParams.get('time'))
      return send(200, {
        status: 'success',
        data: {
          resultType: 'vector',
          result: canned.map((s) => ({ metric: s.labels, value: [at, String(s.value)] })),
        },
      })
    }
    if (url.pathname === '/api/v1/query_range') {
      const [start, end, step] = ['start', 'end', 'step'].map((k) =>
        Number(url.searchParams.get(k))
      ) as [number, number, number]
      // The last hour only: older points are absent, as after a fresh install.
      const values: [number, string][] = []
      for (let t = start; t <= end; t += step)
        if (t > end - 3600) values.push([t, String(canned[0]?.value ?? 0)])
      return send(200, {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: canned.map((s) => ({ metric: s.labels, values })),
        },
      })
    }
    send(404, { status: 'error', errorType: 'not_found', error: 'no such path' })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** An Alertmanager v2 alert as GET /api/v2/alerts lists it. */
export function alertmanagerAlert(
  name: string,
  severity: string,
  state: 'active' | 'suppressed',
  opts: { silencedBy?: string[]; inhibitedBy?: string[]; startsAt?: string } = {}
) {
  return {
    annotations: { summary: `${name}: do something`, runbook_url: 'https://example.org/runbook' },
    endsAt: '2026-12-01T08:00:00.000Z',
    fingerprint: name.toLowerCase(),
    receivers: [{ name: 'webhook' }],
    startsAt: opts.startsAt ?? '2026-12-01T06:00:00.000Z',
    status: { inhibitedBy: opts.inhibitedBy ?? [], silencedBy: opts.silencedBy ?? [], state },
    updatedAt: '2026-12-01T06:30:00.000Z',
    generatorURL: 'http://prometheus:9090/graph',
    labels: { alertname: name, severity, job: 'node' },
  }
}
