// The alert rules, generated from thresholds.ts: one rules file (rules.yml), every rule with a
// `for:`, a severity, a one-line summary that says what to do, and a link to its RUNBOOK entry.
import type { Thresholds } from './thresholds.ts'

export type Severity = 'critical' | 'warning' | 'none'

export type AlertRule = {
  alert: string
  expr: string
  for: string
  /** Stay firing this long after the condition ends (see thresholds.siteDownKeepFiring). */
  keepFiringFor?: string
  severity: Severity
  summary: string
  /** The RUNBOOK.md anchor under "Monitoring and alerts". */
  runbook: string
  /** Alerts that are a consequence of this one being down, muted while it fires. */
  inhibitedBy?: ('SiteDown' | 'ProviderCircuitOpen')[]
}

export type RuleOptions = {
  /** The certificate is a short-lived one (6 days): only the critical alert applies. */
  certShortLived: boolean
}

const DAY = 86400
const requests = 'scribe_http_request_duration_seconds_count{job="api"}'

export function alertRules(t: Thresholds, o: RuleOptions): AlertRule[] {
  const f = t.for
  const rules: (AlertRule | false)[] = [
    {
      alert: 'SiteDown',
      expr: 'probe_success{job="site"} == 0',
      for: f.siteDown,
      keepFiringFor: t.siteDownKeepFiring,
      severity: 'critical',
      summary:
        'The site does not answer {{ $labels.instance }} through the edge: check `make ps` and `make logs`.',
      runbook: 'site-down',
    },
    {
      alert: 'ApiNotReady',
      expr: 'probe_success{job="api-ready"} == 0',
      for: f.apiNotReady,
      severity: 'critical',
      summary:
        'API replica {{ $labels.instance }} is not ready (database or volumes): read its /health/ready answer in `make logs ARGS=api`.',
      runbook: 'api-not-ready',
      inhibitedBy: ['SiteDown'],
    },
    {
      alert: 'ApiDown',
      expr: '(up{job="api"} == 0) or absent(up{job="api"} == 1)',
      for: f.apiDown,
      severity: 'critical',
      summary:
        'Prometheus reaches no API replica ({{ $labels.instance }}): check `make ps`, then `make logs ARGS=api`.',
      runbook: 'api-down',
      inhibitedBy: ['SiteDown'],
    },
    {
      alert: 'HighErrorRate',
      expr:
        `sum(rate(${requests.replace('}', ',status=~"5.."}')}[${t.errorWindow}])) / sum(rate(${requests}[${t.errorWindow}])) > ${t.errorRatio}` +
        ` and sum(rate(${requests}[${t.errorWindow}])) > ${t.errorMinRate}`,
      for: f.errorRate,
      severity: 'warning',
      summary: `More than ${t.errorRatio * 100} % of API answers are 5xx: read \`make logs ARGS=api\` for the errors.`,
      runbook: 'high-error-rate',
      inhibitedBy: ['SiteDown'],
    },
    {
      alert: 'TranscriptionQueueStuck',
      expr: `max(scribe_jobs_oldest_pending_age_seconds{job="api"}) > ${t.queueOldestSeconds}`,
      for: f.queueStuck,
      severity: 'warning',
      summary: `A recording has waited more than ${t.queueOldestSeconds / 60} min for its note: check the providers in \`make logs ARGS=api\`.`,
      runbook: 'transcription-queue',
      inhibitedBy: ['SiteDown', 'ProviderCircuitOpen'],
    },
    {
      alert: 'TranscriptionQueueGrowing',
      expr:
        `max(scribe_jobs{job="api",state="waiting"}) > ${t.queueWaitingJobs}` +
        ` and max(scribe_jobs{job="api",state="waiting"}) > max(scribe_jobs{job="api",state="waiting"} offset ${t.queueGrowthWindow})`,
      for: f.queueGrowing,
      severity: 'warning',
      summary: `More than ${t.queueWaitingJobs} recordings are waiting and the queue keeps growing: check the providers' speed and errors in \`make logs ARGS=api\`.`,
      runbook: 'transcription-queue',
      inhibitedBy: ['SiteDown', 'ProviderCircuitOpen'],
    },
    {
      alert: 'ProviderCircuitOpen',
      expr: 'max by (provider) (scribe_provider_circuit_open{job="api"}) == 1',
      for: f.circuitOpen,
      severity: 'warning',
      summary:
        'The {{ $labels.provider }} provider keeps failing, its circuit is open and jobs wait: check its status, key and quota.',
      runbook: 'provider-circuit-open',
    },
    !o.certShortLived && {
      alert: 'CertificateExpiringSoon',
      expr: certificateDaysLeft(t.certificateWarnDays),
      for: f.certificate,
      severity: 'warning',
      summary: `The TLS certificate ({{ $labels.instance }}{{ $labels.name }}) expires in less than ${t.certificateWarnDays} days: run \`make renew-certs\` and read its output.`,
      runbook: 'certificate-expiring',
    },
    {
      alert: 'CertificateExpiryCritical',
      expr: certificateDaysLeft(t.certificateCriticalDays),
      for: f.certificate,
      severity: 'critical',
      summary: `The TLS certificate ({{ $labels.instance }}{{ $labels.name }}) expires in less than ${t.certificateCriticalDays} days: renew it now (\`make renew-certs\`).`,
      runbook: 'certificate-expiring',
    },
    {
      alert: 'DiskSpaceLow',
      expr: `node_filesystem_avail_bytes{job="node",volume!=""} / node_filesystem_size_bytes{job="node",volume!=""} < ${t.diskFreeRatio}`,
      for: f.disk,
      severity: 'critical',
      summary: `Less than ${t.diskFreeRatio * 100} % free on the {{ $labels.volume }} volume: free space or grow the disk before uploads are refused.`,
      runbook: 'disk-space-low',
    },
    {
      alert: 'BackupTooOld',
      // Absent: no backup ever succeeded (or its heartbeat was removed), but only while the node
      // exporter answers, else TargetDown says what is wrong.
      expr:
        `time() - max(medic_scribe_backup_last_success_timestamp_seconds) > ${t.backupMaxAgeHours * 3600}` +
        ' or (absent(medic_scribe_backup_last_success_timestamp_seconds) and on() (up{job="node"} == 1))',
      for: f.backup,
      severity: 'warning',
      summary: `No successful backup in the last ${t.backupMaxAgeHours} hours (or none at all): run \`make backup\` and read its output.`,
      runbook: 'backup-too-old',
    },
    {
      alert: 'TargetDown',
      expr: 'up{job!="api"} == 0',
      for: f.targetDown,
      severity: 'warning',
      summary:
        'Prometheus cannot scrape {{ $labels.job }} ({{ $labels.instance }}), so its alerts cannot fire: check `make ps`.',
      runbook: 'target-down',
    },
    {
      alert: 'Watchdog',
      expr: 'vector(1)',
      for: t.evaluationInterval,
      severity: 'none',
      summary:
        "Always firing while monitoring works: a dead man's switch (ALERT_WATCHDOG_URL) pages when it stops arriving.",
      runbook: 'watchdog',
    },
  ]
  return rules.filter((r): r is AlertRule => r !== false)
}

/** Days left on the edge's certificate (as probed) or on one the certificate script reports. */
function certificateDaysLeft(days: number): string {
  const left = days * DAY
  return (
    `(min by (instance) (probe_ssl_earliest_cert_expiry{job="site"}) - time() < ${left})` +
    ` or (min by (name) (medic_scribe_certificate_not_after_timestamp_seconds) - time() < ${left})`
  )
}

/** rules.yml as Prometheus reads it. */
export function rulesFile(rules: AlertRule[], runbookUrl: string) {
  return {
    groups: [
      {
        name: 'medic-scribe',
        rules: rules.map((r) => ({
          alert: r.alert,
          expr: r.expr,
          for: r.for,
          ...(r.keepFiringFor ? { keep_firing_for: r.keepFiringFor } : {}),
          labels: { severity: r.severity },
          annotations: {
            summary: r.summary,
            runbook_url: `${runbookUrl}#${r.runbook}`,
          },
        })),
      },
    ],
  }
}
