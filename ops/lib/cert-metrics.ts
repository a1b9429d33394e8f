// The certificate metrics the monitor reads (shared textfile convention): when each served
// certificate expires, and when a renewal last failed and last succeeded, so an alert can fire
// on days left and on a failure newer than the last success.
import { fs, path } from 'zx'
import { writeTextfileMetrics } from './textfile.ts'

export const CERT_METRICS_FILE = 'certificates'
const NOT_AFTER = 'medic_scribe_certificate_not_after_timestamp_seconds'
const LAST_FAILURE = 'medic_scribe_certificate_renewal_last_failure_timestamp_seconds'
const LAST_SUCCESS = 'medic_scribe_certificate_renewal_last_success_timestamp_seconds'

export type CertMetrics = {
  notAfter: Record<string, Date>
  lastFailure?: Date
  lastSuccess?: Date
}

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000)
const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

export function renderCertMetrics(m: CertMetrics): string {
  const lines = [
    `# HELP ${NOT_AFTER} When the certificate expires (Unix time).`,
    `# TYPE ${NOT_AFTER} gauge`,
    ...Object.entries(m.notAfter).map(
      ([name, d]) => `${NOT_AFTER}{name="${escape(name)}"} ${seconds(d)}`
    ),
  ]
  for (const [metric, d, help] of [
    [LAST_FAILURE, m.lastFailure, 'When make renew-certs last failed (Unix time; 0: never).'],
    [LAST_SUCCESS, m.lastSuccess, 'When make renew-certs last succeeded (Unix time; 0: never).'],
  ] as const) {
    lines.push(`# HELP ${metric} ${help}`, `# TYPE ${metric} gauge`)
    lines.push(`${metric} ${d ? seconds(d) : 0}`)
  }
  return `${lines.join('\n')}\n`
}

/** The previous file's values, so one run's outcome does not erase the other's timestamp. */
export function parseCertMetrics(text: string): CertMetrics {
  const out: CertMetrics = { notAfter: {} }
  const when = (v: string | undefined) =>
    v && Number(v) > 0 ? new Date(Number(v) * 1000) : undefined
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{name="((?:[^"\\]|\\.)*)"\})? (\S+)$/.exec(line.trim())
    if (!m) continue
    const [, metric, name, value] = m
    if (metric === NOT_AFTER && name) {
      const d = when(value)
      if (d) out.notAfter[name] = d
    }
    if (metric === LAST_FAILURE) out.lastFailure = when(value)
    if (metric === LAST_SUCCESS) out.lastSuccess = when(value)
  }
  return out
}

/** Merges this run's facts into the file (atomically); returns its path. */
export async function updateCertMetrics(
  dir: string,
  update: Partial<CertMetrics>
): Promise<string> {
  const file = path.join(dir, `${CERT_METRICS_FILE}.prom`)
  const before = (await fs.pathExists(file))
    ? parseCertMetrics(await fs.readFile(file, 'utf8'))
    : { notAfter: {} }
  const merged: CertMetrics = {
    notAfter: { ...before.notAfter, ...update.notAfter },
    lastFailure: update.lastFailure ?? before.lastFailure,
    lastSuccess: update.lastSuccess ?? before.lastSuccess,
  }
  return writeTextfileMetrics(dir, CERT_METRICS_FILE, renderCertMetrics(merged))
}
