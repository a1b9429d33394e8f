// The edge's TLS in the scan: testssl.sh's result (run now against the stack's edge, as
// `make tls-grade` does, or read from a JSON file it kept) judged against the expected grade.
// A grade below it is a finding; so is every entry testssl.sh flags HIGH or CRITICAL (a lost
// chain of trust, a vulnerable protocol), reviewed through the allowlist like any other.
import { fs } from 'zx'
import { CERTS_DIR } from '../../lib/compose.ts'
import { StopError } from '../../lib/errors.ts'
import { localCertPaths } from '../../lib/local-ca.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { gradeBelow, parseTestssl } from '../../lib/testssl.ts'
import type { Grade, TlsReport } from '../../lib/testssl.ts'
import { runTestssl } from '../tls-grade/index.ts'
import { unlessPart } from './context.ts'
import type { ScanContext, TlsResult } from './context.ts'
import type { Finding } from './findings.ts'
import { toSeverity } from './findings.ts'

/** testssl.sh severities that become findings; lower ones are listed in the report only. */
const FAILING = new Set(['HIGH', 'CRITICAL'])

/** The findings of one result: the grade against the expected one, and the flagged entries. */
export function tlsFindings(r: TlsResult): Finding[] {
  const out: Finding[] = []
  if (gradeBelow(r.grade, r.minGrade as Grade))
    out.push({
      id: r.grade ? 'tls.grade' : 'tls.no-grade',
      target: r.target,
      source: 'tls',
      severity: 'high',
      title: r.grade
        ? `testssl.sh graded it ${r.grade}${r.score !== undefined ? ` (score ${r.score})` : ''}, below the expected ${r.minGrade}${r.capReasons.length ? `: ${r.capReasons.join('; ')}` : ''}`
        : `testssl.sh computed no grade (expected ${r.minGrade})`,
      fix: 'see what capped the grade; the edge TLS settings are compose/images/edge/nginx.conf, the certificate chain comes from make certs (RUNBOOK.md#certificates)',
    })
  for (const f of r.findings) {
    if (!FAILING.has(f.severity)) continue
    out.push({
      id: `tls.${f.id}`,
      target: r.target,
      source: 'tls',
      severity: toSeverity(f.severity),
      title: `testssl.sh: ${f.finding}`,
    })
  }
  return out
}

/** The report's view of a testssl.sh result. */
export function tlsResult(
  report: TlsReport,
  o: { target: string; source: string; minGrade: string; ca?: string | undefined }
): TlsResult {
  const { entries: _entries, ...rest } = report
  return { ...rest, ...o }
}

export const tlsCheck = defineStep<ScanContext>({
  name: (c) => `TLS of the edge (testssl.sh${c.tls.json ? `: ${c.tls.json}` : ''})`,
  // Reading a kept result changes nothing; running testssl.sh takes minutes (hundreds of
  // handshakes), so a dry run only says it would.
  changes: true,
  plan: (c) =>
    `run testssl.sh against the edge of ${c.project} (${c.tls.name}), expecting ${c.tls.minGrade} or better`,
  skip: unlessPart('tls'),
  run: async (c) => {
    const localCa = localCertPaths(CERTS_DIR).caCert
    const ca =
      c.tls.ca ??
      (!c.tls.json && c.env.STACK_MODE === 'local' && (await fs.pathExists(localCa))
        ? localCa
        : undefined)
    let report: TlsReport | undefined
    let source: string
    if (c.tls.json) {
      if (!(await fs.pathExists(c.tls.json)))
        throw new StopError(
          `--tls-json ${c.tls.json}: no such file`,
          'make tls-grade ARGS="--json FILE" keeps one'
        )
      report = parseTestssl(await fs.readFile(c.tls.json, 'utf8'))
      source = `testssl.sh JSON ${c.tls.json}`
    } else {
      report = await runTestssl({
        dryRun: false,
        project: c.project,
        name: c.tls.name,
        ...(ca ? { ca } : {}),
      })
      source = 'testssl.sh run now'
    }
    if (!report) throw new StopError('testssl.sh gave no result', 'is the edge up (make ps)?')
    const target = `edge https://${c.tls.name}:8443`
    c.tlsResult = tlsResult(report, { target, source, minGrade: c.tls.minGrade, ca })
    const findings = tlsFindings(c.tlsResult)
    c.findings.push(...findings)
    c.checked.push({
      part: 'TLS',
      what: `${source}: grade ${report.grade ?? '(none)'}, expected ${c.tls.minGrade} or better${ca ? `; chain checked against ${ca}` : ''}`,
    })
    return `grade ${report.grade ?? '(none)'} (expected ${c.tls.minGrade}), ${findings.length} findings`
  },
})
