import { describe, expect, it } from 'vitest'
import { evaluate, failures, formatSummary, loadSpec, percentile } from '../load/spec.ts'
import type { Sample } from '../load/spec.ts'

const sample = (s: Partial<Sample> & Pick<Sample, 'name'>): Sample => ({
  kind: 'read',
  latenciesMs: [],
  statuses: {},
  networkErrors: 0,
  ...s,
})

describe('load-test thresholds', () => {
  it('should load one definition with every profile naming known scenarios', () => {
    const spec = loadSpec()
    expect(Object.keys(spec.profiles).sort()).toEqual(['load', 'smoke', 'soak', 'stress'])
    for (const p of Object.values(spec.profiles))
      for (const name of Object.keys(p.rates)) expect(spec.scenarios[name]).toBeDefined()
    expect(spec.thresholds).toEqual({ p95ReadMs: 300, maxErrorRate: 0.01 })
  })

  it('should take nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(xs, 50)).toBe(50)
    expect(percentile(xs, 95)).toBe(95)
    expect(percentile(xs, 99)).toBe(99)
    expect(percentile([], 95)).toBeNaN()
  })

  it('should count 5xx, unexpected 4xx and network errors as failures, not 429', () => {
    expect(
      failures(
        sample({ name: 'x', statuses: { 200: 5, 429: 3, 503: 1, 404: 1 }, networkErrors: 2 })
      )
    ).toBe(4)
  })

  it('should fail the p95 threshold on slow reads only, and the error rate at 1%', () => {
    const t = { p95ReadMs: 300, maxErrorRate: 0.01 }
    const fastReads = sample({
      name: 'health',
      latenciesMs: Array(100).fill(10),
      statuses: { 200: 100 },
    })
    const slowWrites = sample({
      name: 'upload',
      kind: 'write',
      latenciesMs: Array(10).fill(5000),
      statuses: { 202: 10 },
    })
    expect(evaluate([fastReads, slowWrites], t).every((v) => v.ok)).toBe(true)
    const slowReads = sample({
      name: 'notes',
      latenciesMs: Array(100).fill(400),
      statuses: { 200: 100 },
    })
    expect(evaluate([slowReads], t).map((v) => v.ok)).toEqual([false, true])
    const errors = sample({
      name: 'notes',
      latenciesMs: Array(100).fill(10),
      statuses: { 200: 98, 500: 2 },
    })
    expect(evaluate([errors], t).map((v) => v.ok)).toEqual([true, false])
    expect(evaluate([], t).every((v) => !v.ok)).toBe(true)
  })

  it('should print one row per scenario, a total, and the verdicts', () => {
    const s = [sample({ name: 'health', latenciesMs: [1, 2, 3, 4], statuses: { 200: 4 } })]
    const text = formatSummary(s, 2, evaluate(s, { p95ReadMs: 300, maxErrorRate: 0.01 }))
    expect(text).toMatch(/scenario\s+requests\s+req\/s\s+p50 ms\s+p95 ms\s+p99 ms\s+failed\s+429/)
    expect(text).toMatch(/health\s+4\s+2\.0\s+2\.0\s+4\.0\s+4\.0\s+0\s+0/)
    expect(text).toContain('✓ p95 of reads < 300 ms: 4.0 ms')
  })
})
