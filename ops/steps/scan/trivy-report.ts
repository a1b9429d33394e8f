// Trivy's JSON report (`--format json`), read into our findings. Only the fields used here.
import type { Finding } from './findings.ts'
import { toSeverity } from './findings.ts'

type TrivySecret = {
  RuleID: string
  Title: string
  Severity: string
  StartLine?: number
  Layer?: { DiffID?: string; CreatedBy?: string }
}
type TrivyMisconfig = {
  ID: string
  AVDID?: string
  Title: string
  Severity: string
  Status?: string
  Resolution?: string
  Message?: string
}
type TrivyVuln = {
  VulnerabilityID: string
  PkgName: string
  InstalledVersion: string
  FixedVersion?: string
  Severity: string
  Title?: string
}
export type TrivyReport = {
  Results?: {
    Target: string
    Class?: string
    /** What trivy read it as: `dockerfile`, `kubernetes`, `helm`, `debian`… */
    Type?: string
    Secrets?: TrivySecret[] | null
    Misconfigurations?: TrivyMisconfig[] | null
    Vulnerabilities?: TrivyVuln[] | null
    Packages?: unknown[] | null
  }[]
}

export type ReportCounts = { secrets: number; misconfigurations: number; vulnerabilities: number }

/**
 * Findings from one report. `where` prefixes every target (`image medic-scribe/api:local`);
 * `vulnSeverities` are the severities that count as findings (the rest are only counted).
 */
export function findingsFromTrivy(
  report: TrivyReport,
  o: { where: string; source: string; vulnSeverities?: string[] }
): { findings: Finding[]; counts: ReportCounts } {
  const findings: Finding[] = []
  const counts: ReportCounts = { secrets: 0, misconfigurations: 0, vulnerabilities: 0 }
  const gate = (o.vulnSeverities ?? ['HIGH', 'CRITICAL']).map((s) => s.toUpperCase())
  for (const r of report.Results ?? []) {
    const at = `${o.where}${r.Target ? `: ${r.Target}` : ''}`
    for (const s of r.Secrets ?? []) {
      counts.secrets++
      const layer = s.Layer?.CreatedBy ? ` (layer: ${s.Layer.CreatedBy.slice(0, 80)})` : ''
      findings.push({
        id: `secret.${s.RuleID}`,
        target: `${at}${s.StartLine ? `:${s.StartLine}` : ''}`,
        source: o.source,
        severity: toSeverity(s.Severity),
        title: `${s.Title}${layer}`,
        fix: 'remove the secret from the file (and its history), rotate it, pass it at run time',
      })
    }
    for (const m of r.Misconfigurations ?? []) {
      if (m.Status && m.Status !== 'FAIL') continue
      counts.misconfigurations++
      findings.push({
        id: m.ID,
        target: at,
        source: o.source,
        severity: toSeverity(m.Severity),
        title: m.Message ? `${m.Title}: ${m.Message}` : m.Title,
        ...(m.Resolution ? { fix: m.Resolution } : {}),
      })
    }
    for (const v of r.Vulnerabilities ?? []) {
      counts.vulnerabilities++
      if (!gate.includes(v.Severity.toUpperCase())) continue
      findings.push({
        id: v.VulnerabilityID,
        target: `${o.where}: ${v.PkgName}@${v.InstalledVersion}`,
        source: o.source,
        severity: toSeverity(v.Severity),
        title: v.Title ?? v.VulnerabilityID,
        fix: v.FixedVersion ? `upgrade to ${v.FixedVersion}` : 'no fixed version yet',
      })
    }
  }
  return { findings, counts }
}

/** How many components a CycloneDX SBOM lists. */
export const sbomComponents = (sbom: { components?: unknown[] }): number =>
  sbom.components?.length ?? 0
