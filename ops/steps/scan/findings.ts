// What every part of the scan reports, in one shape, so the allowlist, the exit code and the
// three renderings (terminal, JSON, HTML) treat a CVE, a leaked key and an open route alike.

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const
export type Severity = (typeof SEVERITIES)[number]

export type Finding = {
  /** What kind of problem: a rule id (`hardening.cap-drop-all`), a CVE, a Trivy check id. */
  id: string
  /** Where: `local:api`, `image medic-scribe/api:local`, `GET /api/notes/:id`… */
  target: string
  /** Which part of the scan found it: `compose`, `container`, `image`, `probe`… */
  source: string
  severity: Severity
  title: string
  fix?: string
  /** Set when a live allowlist entry covers it. */
  allowlisted?: { reason: string; expires: string }
}

/** Normalises a scanner's severity word. */
export function toSeverity(s: string | undefined): Severity {
  const v = (s ?? '').toLowerCase()
  return (SEVERITIES as readonly string[]).includes(v) ? (v as Severity) : 'unknown'
}

/** The findings that fail the scan: those no live allowlist entry covers. */
export const blocking = (findings: Finding[]): Finding[] => findings.filter((f) => !f.allowlisted)
