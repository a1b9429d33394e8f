// Reads the edge's access log (nginx.conf's `edge` format) to judge a release after the switch:
// the share of proxied requests that the API or the edge answered with a 5xx.

export type TrafficCounts = { total: number; errors: number; byStatus: Record<string, number> }

// `$remote_addr [$time_local] "$request_method $request_path $server_protocol" $status ...`
const LINE = /^\S+ \[[^\]]+\] "(\S+) (\S+) [^"]*" (\d{3}) /

/** Paths the edge proxies to the API: the only ones a release can break. */
const PROXIED = /^\/(api\/|ws$|health\/live$|transcribe-and-summarize$)/

export function countTraffic(log: string): TrafficCounts {
  const counts: TrafficCounts = { total: 0, errors: 0, byStatus: {} }
  for (const line of log.split('\n')) {
    const m = LINE.exec(line)
    if (!m || !PROXIED.test(m[2]!)) continue
    const status = m[3]!
    counts.total++
    counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1
    if (status.startsWith('5')) counts.errors++
  }
  return counts
}

export type RateVerdict = { ok: boolean; rate: number; summary: string }

/** Too many 5xx? Probe failures (no answer at all) count as errors too. */
export function judgeErrorRate(
  counts: TrafficCounts,
  maxRate: number,
  probeFailures = 0
): RateVerdict {
  const errors = counts.errors + probeFailures
  const total = counts.total + probeFailures
  const rate = total === 0 ? 0 : errors / total
  const summary = `${errors} error(s) in ${total} request(s) (${(rate * 100).toFixed(1)}%, limit ${(maxRate * 100).toFixed(1)}%)`
  return { ok: rate <= maxRate, rate, summary }
}
