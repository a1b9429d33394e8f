// How a Status tile's value reads: words for states, units a clinic's operator knows.
import type { Tile } from '../lib/types.ts'

export const STATE_TEXT: Record<Tile['state'], string> = {
  ok: 'OK',
  warning: 'Check',
  critical: 'Act now',
  unknown: 'No data',
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 90) return `${s} s`
  if (s < 90 * 60) return `${Math.round(s / 60)} min`
  if (s < 48 * 3600) {
    const h = Math.floor(s / 3600)
    const m = Math.round((s % 3600) / 60)
    return m ? `${h} h ${m} min` : `${h} h`
  }
  return `${Math.round(s / 86400)} days`
}

export function formatValue(t: Pick<Tile, 'metric' | 'unit' | 'value'>): string {
  const v = t.value
  if (v === null) return t.metric === 'backup_age_seconds' ? 'Never' : 'No data'
  switch (t.unit) {
    case 'boolean':
      if (t.metric === 'provider_circuit_open') return v >= 1 ? 'Open' : 'Closed'
      return v >= 1 ? 'Up' : 'Down'
    case 'count':
      return String(Math.round(v))
    case 'seconds':
      return t.metric === 'backup_age_seconds' ? `${duration(v)} ago` : duration(v)
    case 'ratio':
      return `${Math.round(v * 100)} % free`
    case 'days':
      return `${Math.floor(v)} days`
  }
}

/** The chart's text alternative: what a sighted user reads off the line. */
const RANGE_TEXT = { '1h': 'last hour', '6h': 'last 6 hours', '24h': 'last 24 hours' } as const

export function describeSeries(
  t: Tile,
  values: (number | null)[],
  range: keyof typeof RANGE_TEXT = '24h'
): string {
  const seen = values.filter((v): v is number => v !== null)
  const one = (v: number) => formatValue({ ...t, value: v })
  const parts = [`${t.label}, ${RANGE_TEXT[range]}`]
  if (seen.length === 0) parts.push('no data yet')
  else
    parts.push(
      `lowest ${one(Math.min(...seen))}`,
      `highest ${one(Math.max(...seen))}`,
      `latest ${one(seen.at(-1)!)}`
    )
  if (t.threshold !== null) parts.push(`threshold ${one(t.threshold)}`)
  return parts.join(', ')
}
