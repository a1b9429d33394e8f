// The scan's answer in three forms from one object: a terminal table, report.json and a
// self-contained report.html (inline style, no scripts, nothing fetched), pure so they are
// unit-tested.
import type { ProbeCall } from './api-probe.ts'
import type { ImageSummary, ScanPart, TlsResult } from './context.ts'
import type { Finding } from './findings.ts'
import { SEVERITIES, blocking } from './findings.ts'
import type { AllowlistEntry } from './allowlist.ts'

export type ScanReport = {
  startedAt: string
  seconds: number
  trivy: string
  passed: boolean
  findings: Finding[]
  warnings: string[]
  checked: { part: string; what: string }[]
  images: ImageSummary[]
  sboms: { name: string; file: string; components: number }[]
  runtimes: { image: string; node: string; eol: string; state: string }[]
  probe?: { base: string; routes: number; calls: ProbeCall[] } | undefined
  tls?: TlsResult | undefined
  /** The parts this run did (a narrowed run says so in its warnings too). */
  parts: ScanPart[]
  allowlist: { entries: AllowlistEntry[]; unused: AllowlistEntry[] }
}

const bySeverity = (a: Finding, b: Finding) =>
  SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.id.localeCompare(b.id)

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

/** A fixed-width table of string rows; the first row is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [
    line(rows[0]!),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ].join('\n')
}

const protocolNames = (t: TlsResult): string =>
  Object.entries(t.protocols)
    .filter(([, on]) => on)
    .map(([p]) => p.replace('TLS1_', 'TLS 1.').replace(/^TLS1$/, 'TLS 1.0'))
    .join(', ')

/** The TLS section's lines: the grade against the expected one, then what testssl.sh saw. */
export function tlsLines(t: TlsResult): string[] {
  return [
    `TLS of ${t.target} (${t.source}): grade ${t.grade ?? '(none)'}${t.score !== undefined ? ` (score ${t.score})` : ''}, expected ${t.minGrade} or better`,
    `  protocols: ${protocolNames(t) || 'none'}; HSTS: ${t.hstsSeconds !== undefined ? `${Math.round(t.hstsSeconds / 86400)} days` : 'not sent'}`,
    `  cipher suites: ${t.ciphers.join(' ') || 'none'}`,
    ...(t.ca ? [`  chain checked against ${t.ca} (not a public root)`] : []),
    ...t.capReasons.map((x) => `  capped: ${x}`),
    ...t.findings.map((f) => `  flagged ${f.severity}: ${f.id}: ${f.finding}`),
  ]
}

/** What `make scan` prints at the end. */
export function renderTerminal(r: ScanReport): string {
  const out: string[] = []
  for (const w of r.warnings) out.push(`! ${w}`)
  if (r.probe) {
    const routes = new Map<string, string[]>()
    for (const c of r.probe.calls) {
      const list = routes.get(c.route) ?? []
      list.push(`${c.status}${c.ok ? '' : '✗'}`)
      routes.set(c.route, list)
    }
    out.push('', `API probe through ${r.probe.base}: ${r.probe.routes} routes`)
    out.push(
      table([
        ['route', 'answers (✗ = not as expected)'],
        ...[...routes].map(([k, v]) => [k, [...new Set(v)].join(' ')]),
      ])
    )
  }
  if (r.tls) out.push('', ...tlsLines(r.tls))
  if (r.sboms.length)
    out.push(
      '',
      table([['SBOM', 'components'], ...r.sboms.map((s) => [s.name, String(s.components)])])
    )
  const sorted = [...r.findings].sort(bySeverity)
  out.push('')
  if (sorted.length)
    out.push(
      table([
        ['severity', 'id', 'target', 'finding', 'allowlisted'],
        ...sorted.map((f) => [
          f.severity,
          f.id,
          clip(f.target, 48),
          clip(f.title, 70),
          f.allowlisted ? `until ${f.allowlisted.expires}` : '',
        ]),
      ])
    )
  const failing = blocking(r.findings).length
  out.push(
    '',
    `${r.findings.length} findings, ${r.findings.length - failing} allowlisted, ${failing} failing: ${r.passed ? 'PASSED' : 'FAILED'}`
  )
  return out.join('\n')
}

const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!
  )

const htmlTable = (
  head: string[],
  rows: string[][],
  cls: (i: number) => string = () => ''
): string =>
  `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r, i) => `<tr class="${cls(i)}">${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}.fail{background:#fde8e8}.allow{color:#777}.warn{background:#fff6d6;padding:.5rem;border-left:4px solid #e0a800}.verdict{font-size:1.3rem;font-weight:bold}.passed{color:#17692e}.failed{color:#b00020}`

/** One HTML file with everything inline. */
export function renderHtml(r: ScanReport): string {
  const sorted = [...r.findings].sort(bySeverity)
  const parts = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Medic Scribe security scan ${esc(r.startedAt)}</title><style>${STYLE}</style></head><body>`,
    `<h1>Security scan</h1><p>${esc(r.startedAt)} · ${r.seconds.toFixed(0)} s · trivy ${esc(r.trivy)}</p>`,
    `<p class="verdict ${r.passed ? 'passed' : 'failed'}">${r.passed ? 'PASSED' : 'FAILED'}: ${blocking(r.findings).length} failing of ${r.findings.length} findings</p>`,
    ...r.warnings.map((w) => `<p class="warn">${esc(w)}</p>`),
    '<h2>Findings</h2>',
    sorted.length
      ? htmlTable(
          ['severity', 'id', 'target', 'finding', 'fix', 'allowlisted'],
          sorted.map((f) => [
            f.severity,
            f.id,
            f.target,
            f.title,
            f.fix ?? '',
            f.allowlisted ? `${f.allowlisted.reason} (until ${f.allowlisted.expires})` : '',
          ]),
          (i) => (sorted[i]!.allowlisted ? 'allow' : 'fail')
        )
      : '<p>None.</p>',
    '<h2>What was checked</h2>',
    htmlTable(
      ['part', 'what'],
      r.checked.map((c) => [c.part, c.what])
    ),
    '<h2>Images and SBOMs</h2>',
    htmlTable(
      ['image', 'size', 'components', 'secrets', 'misconfigurations', 'vulnerabilities'],
      r.images.map((i) => [
        i.ref,
        `${(i.bytes / 1e6).toFixed(0)} MB`,
        String(i.components),
        String(i.secrets),
        String(i.misconfigurations),
        String(i.vulnerabilities),
      ])
    ),
    htmlTable(
      ['SBOM (CycloneDX)', 'file', 'components'],
      r.sboms.map((s) => [s.name, s.file, String(s.components)])
    ),
    '<h2>Node runtimes</h2>',
    htmlTable(
      ['image', 'node', 'end of life', 'state'],
      r.runtimes.map((x) => [x.image, x.node, x.eol, x.state])
    ),
  ]
  if (r.tls)
    parts.push(
      `<h2>TLS (${esc(r.tls.target)})</h2>`,
      `<p>${esc(r.tls.source)}: grade <b>${esc(r.tls.grade ?? '(none)')}</b>${r.tls.score !== undefined ? ` (score ${r.tls.score})` : ''}, expected ${esc(r.tls.minGrade)} or better${r.tls.ca ? `; chain checked against ${esc(r.tls.ca)} (not a public root)` : ''}</p>`,
      htmlTable(
        ['what', 'testssl.sh saw'],
        [
          ['protocols', protocolNames(r.tls)],
          ['cipher suites', r.tls.ciphers.join(' ')],
          ['key exchange groups', r.tls.curves.join(' ')],
          [
            'HSTS',
            r.tls.hstsSeconds !== undefined
              ? `${Math.round(r.tls.hstsSeconds / 86400)} days`
              : 'not sent',
          ],
          ['what capped the grade', r.tls.capReasons.join('; ') || 'nothing'],
          ...r.tls.findings.map((f) => [`flagged ${f.severity}: ${f.id}`, f.finding]),
        ]
      )
    )
  if (r.probe) {
    parts.push(
      `<h2>API probe (${r.probe.routes} routes through ${esc(r.probe.base)})</h2>`,
      htmlTable(
        ['route', 'case', 'answered', 'expected'],
        r.probe.calls.map((c) => [c.route, c.case, String(c.status || 'no answer'), c.expected]),
        (i) => (r.probe!.calls[i]!.ok ? '' : 'fail')
      )
    )
  }
  parts.push(
    '<h2>Allowlist</h2>',
    htmlTable(
      ['id', 'target', 'reason', 'expires'],
      r.allowlist.entries.map((e) => [e.id, e.target ?? 'any', e.reason, e.expires])
    ),
    '</body></html>'
  )
  return parts.join('\n')
}
