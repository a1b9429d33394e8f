// The shared load-test definition (scenarios.json) typed for TypeScript, plus the summary both
// runners print: percentiles, rates, and the thresholds' verdicts.
import { readFileSync } from 'node:fs'
import { z } from 'zod'

const ScenarioSchema = z.object({
  method: z.enum(['GET', 'POST']),
  path: z.string(),
  kind: z.enum(['read', 'write']),
  auth: z.boolean(),
  body: z.enum(['login', 'consultation']).optional(),
})
export const LoadSpecSchema = z.object({
  thresholds: z.object({ p95ReadMs: z.number(), maxErrorRate: z.number() }),
  scenarios: z.record(z.string(), ScenarioSchema),
  profiles: z.record(
    z.string(),
    z.object({
      duration: z.number().positive(),
      rates: z.record(z.string(), z.number().positive()),
    })
  ),
})
export type LoadSpec = z.infer<typeof LoadSpecSchema>
export type Scenario = z.infer<typeof ScenarioSchema>

export const loadSpec = (): LoadSpec =>
  LoadSpecSchema.parse(
    JSON.parse(readFileSync(new URL('./scenarios.json', import.meta.url), 'utf8'))
  )

/** What a runner measured for one scenario. */
export type Sample = {
  name: string
  kind: Scenario['kind']
  latenciesMs: number[]
  statuses: Record<string, number>
  /** No answer at all (connection refused, reset, timeout). */
  networkErrors: number
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

/** A request failed when nothing answered, or the answer was not 2xx/3xx or the edge's 429. */
export function failures(s: Sample): number {
  const bad = Object.entries(s.statuses)
    .filter(([code]) => !/^[23]/.test(code) && code !== '429')
    .reduce((n, [, c]) => n + c, 0)
  return bad + s.networkErrors
}

export type Verdict = { name: string; ok: boolean; detail: string }

export function evaluate(samples: Sample[], t: LoadSpec['thresholds']): Verdict[] {
  const reads = samples
    .filter((s) => s.kind === 'read')
    .flatMap((s) => s.latenciesMs)
    .sort((a, b) => a - b)
  const total = samples.reduce((n, s) => n + count(s), 0)
  const failed = samples.reduce((n, s) => n + failures(s), 0)
  const p95 = percentile(reads, 95)
  const rate = total ? failed / total : 0
  return [
    {
      name: `p95 of reads < ${t.p95ReadMs} ms`,
      ok: reads.length > 0 && p95 < t.p95ReadMs,
      detail: reads.length ? `${p95.toFixed(1)} ms` : 'no reads measured',
    },
    {
      name: `error rate < ${(t.maxErrorRate * 100).toFixed(0)}%`,
      ok: total > 0 && rate < t.maxErrorRate,
      detail: `${failed}/${total} (${(rate * 100).toFixed(2)}%)`,
    },
  ]
}

const count = (s: Sample) => Object.values(s.statuses).reduce((n, c) => n + c, 0) + s.networkErrors

/** The table both runners print, then the thresholds. */
export function formatSummary(samples: Sample[], seconds: number, verdicts: Verdict[]): string {
  const head = ['scenario', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'failed', '429']
  const row = (name: string, all: Sample[]) => {
    const lat = all.flatMap((s) => s.latenciesMs).sort((a, b) => a - b)
    const n = all.reduce((k, s) => k + count(s), 0)
    const f = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(1))
    return [
      name,
      String(n),
      (n / seconds).toFixed(1),
      f(percentile(lat, 50)),
      f(percentile(lat, 95)),
      f(percentile(lat, 99)),
      String(all.reduce((k, s) => k + failures(s), 0)),
      String(all.reduce((k, s) => k + (s.statuses['429'] ?? 0), 0)),
    ]
  }
  const rows = [...samples.map((s) => row(s.name, [s])), row('all', samples)]
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ')
  return [
    line(head),
    ...rows.map(line),
    '',
    ...verdicts.map((v) => `${v.ok ? '✓' : '✗'} ${v.name}: ${v.detail}`),
  ].join('\n')
}
