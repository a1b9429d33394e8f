// A drill's weighted probes (for the resilience score) and its verdict: the losses and
// duplicates weigh most, then the hypothesis coming back in time.
import type { Journal } from './journal.ts'
import type { ProbeResult } from './probes.ts'
import type { Tally } from './verify.ts'

export type VerdictInput = {
  before: ProbeResult[]
  after: ProbeResult[]
  duringFault: Journal['duringFault']
  recovered: boolean
  tally: Tally
  /** Refusals that were not a JSON error (upload answers and note reads). */
  unclean: number
  rollbacks: Journal['rollbacks']
  methodError?: string
}

export function verdict(v: VerdictInput) {
  const probes: Journal['probes'] = [
    ...v.before.map((p) => ({ name: `before: ${p.name}`, weight: 1, ok: p.ok })),
    ...v.after.map((p) => ({ name: `after: ${p.name}`, weight: 1, ok: p.ok })),
    ...v.duringFault.map((d) => ({ name: `during: ${d.what}`, weight: 1, ok: d.ok })),
    { name: 'the hypothesis holds again in time', weight: 2, ok: v.recovered },
    { name: 'no acknowledged recording lost', weight: 3, ok: v.tally.lost === 0 },
    { name: 'no recording duplicated', weight: 3, ok: v.tally.duplicated === 0 },
    { name: 'every refusal clean (JSON error)', weight: 1, ok: v.unclean === 0 },
    { name: 'every rollback ran', weight: 1, ok: v.rollbacks.every((r) => r.ok) },
  ]
  const passed = probes.every((p) => p.ok) && !v.methodError
  const reason = passed
    ? undefined
    : [
        v.methodError && `method: ${v.methodError}`,
        ...probes.filter((p) => !p.ok).map((p) => `failed: ${p.name}`),
        ...v.tally.problems.slice(0, 5),
      ]
        .filter(Boolean)
        .join('; ')
  return { probes, status: passed ? ('passed' as const) : ('failed' as const), reason }
}
