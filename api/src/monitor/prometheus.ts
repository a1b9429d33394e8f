// Reads Prometheus's and Alertmanager's HTTP APIs (on the stack's internal network) with fixed
// queries only. Web-standard fetch, so it runs on Node and Deno alike.

/** The monitor did not answer, or answered something that is not its API: the screen says so. */
export class MonitorUnavailableError extends Error {}

export type Sample = { labels: Record<string, string>; value: number | null }
export type RangeSeries = { labels: Record<string, string>; points: [number, number | null][] }

export type AlertmanagerAlert = {
  labels: Record<string, string>
  annotations: Record<string, string>
  startsAt: string
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] }
}

type PromAnswer<T> = { status: 'success'; data: { resultType: string; result: T[] } }

const number = (v: string): number | null => {
  const n = Number(v)
  return Number.isFinite(n) ? n : null
}

export function createMonitorClient(opts: {
  prometheusUrl: string
  alertmanagerUrl: string | undefined
  timeoutMs: number
  fetch?: typeof fetch
}) {
  const doFetch = opts.fetch ?? fetch
  async function get<T>(what: string, url: URL): Promise<T> {
    let res: Response
    try {
      res = await doFetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(opts.timeoutMs),
      })
    } catch (err) {
      throw new MonitorUnavailableError(`${what} does not answer (${(err as Error).message})`)
    }
    if (!res.ok) throw new MonitorUnavailableError(`${what} answered HTTP ${res.status}`)
    try {
      return (await res.json()) as T
    } catch {
      throw new MonitorUnavailableError(`${what} did not answer JSON`)
    }
  }
  const prom = (path: string, params: Record<string, string>) => {
    const url = new URL(path, opts.prometheusUrl)
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
    return url
  }
  function result<T>(answer: PromAnswer<T>): T[] {
    if (answer?.status !== 'success' || !Array.isArray(answer.data?.result))
      throw new MonitorUnavailableError('Prometheus answered an unexpected shape')
    return answer.data.result
  }

  return {
    async instant(expr: string, at: Date): Promise<Sample[]> {
      type Row = { metric: Record<string, string>; value: [number, string] }
      const rows = result(
        await get<PromAnswer<Row>>(
          'Prometheus',
          prom('/api/v1/query', { query: expr, time: String(at.getTime() / 1000) })
        )
      )
      return rows.map((r) => ({ labels: r.metric, value: number(r.value[1]) }))
    },
    async range(expr: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
      type Row = { metric: Record<string, string>; values: [number, string][] }
      const rows = result(
        await get<PromAnswer<Row>>(
          'Prometheus',
          prom('/api/v1/query_range', {
            query: expr,
            start: String(start),
            end: String(end),
            step: String(step),
          })
        )
      )
      return rows.map((r) => ({
        labels: r.metric,
        points: r.values.map(([t, v]) => [t, number(v)] as [number, number | null]),
      }))
    },
    /** Every alert Alertmanager holds (active, silenced, inhibited); null when it is not set. */
    async alerts(): Promise<AlertmanagerAlert[] | null> {
      if (!opts.alertmanagerUrl) return null
      const list = await get<AlertmanagerAlert[]>(
        'Alertmanager',
        new URL('/api/v2/alerts', opts.alertmanagerUrl)
      )
      if (!Array.isArray(list))
        throw new MonitorUnavailableError('Alertmanager answered an unexpected shape')
      return list
    },
  }
}
export type MonitorClient = ReturnType<typeof createMonitorClient>
