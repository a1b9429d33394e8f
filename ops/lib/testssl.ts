// testssl.sh's JSON (--jsonfile: a flat list of {id, severity, finding}) read into what
// `make tls-grade` prints and the tests assert: the grade the tool computed, what capped it,
// the protocols, the cipher suites, HSTS, and the findings flagged LOW or worse.
import { z } from 'zod'

const EntrySchema = z.object({ id: z.string(), severity: z.string(), finding: z.string() })
type Entry = z.infer<typeof EntrySchema>

export type TlsReport = {
  grade?: string
  score?: number
  /** `TLS1_2` → offered? */
  protocols: Record<string, boolean>
  /** OpenSSL names of every suite the server accepted, e.g. ECDHE-ECDSA-AES256-GCM-SHA384. */
  ciphers: string[]
  /** Key exchange groups (FS_ECDHE_curves). */
  curves: string[]
  hstsSeconds?: number
  /** What lowered the grade, as testssl.sh words it (grade_cap_reason_N / _warning_N). */
  capReasons: string[]
  /** Entries flagged LOW, MEDIUM, HIGH or CRITICAL (the grade line itself left out). */
  findings: { id: string; severity: string; finding: string }[]
  entries: Entry[]
}

const FLAGGED = new Set(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])
const PROTOCOLS = ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1', 'TLS1_2', 'TLS1_3']
// testssl.sh's own environment, not the server's.
const TOOL_NOTES = new Set(['engine_problem', 'scanProblem'])

export function parseTestssl(json: string): TlsReport {
  const raw: unknown = JSON.parse(json)
  const list = Array.isArray(raw) ? raw : ((raw as { scanResult?: unknown[] }).scanResult ?? [])
  const entries = list.flatMap((e) => {
    const parsed = EntrySchema.safeParse(e)
    return parsed.success ? [parsed.data] : []
  })
  const get = (id: string) => entries.find((e) => e.id === id)
  const protocols: Record<string, boolean> = {}
  for (const p of PROTOCOLS) {
    const e = get(p)
    if (e) protocols[p] = /^offered/.test(e.finding)
  }
  const ciphers = entries
    .filter((e) => /^cipher(-tls[\w.]+)?_x[0-9a-f]+$/i.test(e.id))
    .map((e) => e.finding.trim().split(/\s+/)[1] ?? '')
    .filter(Boolean)
  const hsts = /=(\d+) seconds/.exec(get('HSTS_time')?.finding ?? '')
  const score = Number(get('final_score')?.finding)
  return {
    ...(get('overall_grade') ? { grade: get('overall_grade')!.finding.trim() } : {}),
    ...(Number.isFinite(score) && get('final_score') ? { score } : {}),
    protocols,
    ciphers: [...new Set(ciphers)],
    curves: (get('FS_ECDHE_curves')?.finding ?? '').split(/\s+/).filter(Boolean),
    ...(hsts ? { hstsSeconds: Number(hsts[1]) } : {}),
    capReasons: entries
      .filter((e) => /^grade_cap_(reason|warning)_\d+$/.test(e.id))
      .map((e) => e.finding),
    findings: entries
      .filter((e) => FLAGGED.has(e.severity) && e.id !== 'overall_grade' && !TOOL_NOTES.has(e.id))
      .map(({ id, severity, finding }) => ({ id, severity, finding })),
    entries,
  }
}

/** testssl.sh's grades, best first (SSL Labs' rating guide; M: name mismatch, T: not trusted). */
export const GRADE_ORDER = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F', 'M', 'T'] as const
export type Grade = (typeof GRADE_ORDER)[number]

/** Whether `grade` is worse than `min`; no grade, or one testssl.sh never gives, counts as worse. */
export function gradeBelow(grade: string | undefined, min: Grade): boolean {
  const rank = (g: string | undefined) =>
    g && (GRADE_ORDER as readonly string[]).includes(g)
      ? GRADE_ORDER.indexOf(g as Grade)
      : GRADE_ORDER.length
  return rank(grade) > rank(min)
}

/** The checks testssl.sh needs before it computes a grade (its set_rating_state), plus BREACH
 * and LUCKY13: no client simulation, no per-protocol cipher order, nothing else. */
export const GRADE_CHECKS = [
  ...['-p', '-s', '-f', '-S', '-h', '-e'],
  ...['-H', '-I', '-T', '-BB', '-R', '-C', '-O', '-Z', '-D', '-A', '-4', '-J'],
  ...['-B', '-L'],
]
