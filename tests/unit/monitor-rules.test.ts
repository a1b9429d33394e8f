// Every alert rule, unit-tested by promtool with synthetic series: it fires when its condition
// has held for its `for:`, not before, and not on healthy series. The production thresholds
// (ops/lib/monitor/thresholds.ts) are the ones under test.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { alertRules, rulesFile } from '../../ops/lib/monitor/rules.ts'
import type { AlertRule } from '../../ops/lib/monitor/rules.ts'
import { DEFAULT_THRESHOLDS } from '../../ops/lib/monitor/thresholds.ts'
import { monitorTool } from '../support/monitor-tools.ts'

const RUNBOOK = 'RUNBOOK.md'
const RULES = alertRules(DEFAULT_THRESHOLDS, { certShortLived: false })
/** Minutes of healthy series before the fault, enough for the 30 min growth window. */
const FAULT_AT = 40

type Series = { series: string; values: string }
type Case = {
  alert: string
  /** What the series look like when all is well, and with the fault from FAULT_AT on. */
  healthy: Series[]
  faulty: Series[]
  /** The firing alerts' labels besides severity (one entry per alert). */
  labels: Record<string, string>[]
  /** The rule's condition is met from this minute (default FAULT_AT + 1 for rates, else FAULT_AT). */
  from?: number
}

const API = 'instance="172.18.0.5:8080",job="api"'
const SITE = 'https://edge:8443/health/live'
const NODE = 'instance="node-exporter:9100",job="node"'
const DISK = `${NODE},device="/dev/sda1",fstype="ext4",mountpoint="/volumes/audio",volume="audio"`
const steady = (v: number | string) => `${v}x150`
const fault = (before: number | string, after: string) => `${before}x${FAULT_AT - 1} ${after}`

const CASES: Case[] = [
  {
    alert: 'SiteDown',
    healthy: [{ series: `probe_success{job="site",instance="${SITE}"}`, values: steady(1) }],
    faulty: [{ series: `probe_success{job="site",instance="${SITE}"}`, values: fault(1, '0x110') }],
    labels: [{ job: 'site', instance: SITE }],
  },
  {
    alert: 'ApiNotReady',
    healthy: [{ series: `probe_success{job="api-ready",instance="ready"}`, values: steady(1) }],
    faulty: [
      { series: `probe_success{job="api-ready",instance="ready"}`, values: fault(1, '0x110') },
    ],
    labels: [{ job: 'api-ready', instance: 'ready' }],
  },
  {
    // A replica that answers badly, and (absent) no replica at all.
    alert: 'ApiDown',
    healthy: [{ series: `up{${API}}`, values: steady(1) }],
    faulty: [{ series: `up{${API}}`, values: fault(1, '0x110') }],
    labels: [{ job: 'api', instance: '172.18.0.5:8080' }, {}],
  },
  {
    alert: 'HighErrorRate',
    healthy: [
      {
        series: `scribe_http_request_duration_seconds_count{${API},status="200"}`,
        values: '0+60x150',
      },
      {
        series: `scribe_http_request_duration_seconds_count{${API},status="500"}`,
        values: steady(0),
      },
    ],
    faulty: [
      {
        series: `scribe_http_request_duration_seconds_count{${API},status="200"}`,
        values: '0+60x150',
      },
      {
        series: `scribe_http_request_duration_seconds_count{${API},status="500"}`,
        values: fault(0, '30+30x110'),
      },
    ],
    labels: [{}],
  },
  {
    alert: 'TranscriptionQueueStuck',
    healthy: [{ series: `scribe_jobs_oldest_pending_age_seconds{${API}}`, values: steady(120) }],
    faulty: [
      {
        series: `scribe_jobs_oldest_pending_age_seconds{${API}}`,
        values: fault(120, '960+60x110'),
      },
    ],
    labels: [{}],
  },
  {
    // Many waiting but not growing is the healthy case: a busy clinic working through a queue.
    alert: 'TranscriptionQueueGrowing',
    healthy: [{ series: `scribe_jobs{${API},state="waiting"}`, values: steady(25) }],
    faulty: [{ series: `scribe_jobs{${API},state="waiting"}`, values: fault(25, '26+1x110') }],
    labels: [{}],
  },
  {
    alert: 'ProviderCircuitOpen',
    healthy: [
      { series: `scribe_provider_circuit_open{${API},provider="deepgram"}`, values: steady(0) },
    ],
    faulty: [
      {
        series: `scribe_provider_circuit_open{${API},provider="deepgram"}`,
        values: fault(0, '1x110'),
      },
    ],
    labels: [{ provider: 'deepgram' }],
  },
  {
    // 30 days left, then a certificate with 10 days left (time() starts at 0 in promtool).
    alert: 'CertificateExpiringSoon',
    healthy: [
      {
        series: `probe_ssl_earliest_cert_expiry{job="site",instance="${SITE}"}`,
        values: steady(2592000),
      },
    ],
    faulty: [
      {
        series: `probe_ssl_earliest_cert_expiry{job="site",instance="${SITE}"}`,
        values: fault(2592000, '864000x110'),
      },
    ],
    labels: [{ instance: SITE }],
  },
  {
    // The certificate script's own report (textfile) with 2 days left.
    alert: 'CertificateExpiryCritical',
    healthy: [
      {
        series: `medic_scribe_certificate_not_after_timestamp_seconds{${NODE},name="clinic.example.org"}`,
        values: steady(864000),
      },
    ],
    faulty: [
      {
        series: `medic_scribe_certificate_not_after_timestamp_seconds{${NODE},name="clinic.example.org"}`,
        values: fault(864000, '172800x110'),
      },
    ],
    labels: [{ name: 'clinic.example.org' }],
  },
  {
    alert: 'DiskSpaceLow',
    healthy: [
      { series: `node_filesystem_avail_bytes{${DISK}}`, values: steady(50) },
      { series: `node_filesystem_size_bytes{${DISK}}`, values: steady(100) },
    ],
    faulty: [
      { series: `node_filesystem_avail_bytes{${DISK}}`, values: fault(50, '10x110') },
      { series: `node_filesystem_size_bytes{${DISK}}`, values: steady(100) },
    ],
    labels: [
      {
        device: '/dev/sda1',
        fstype: 'ext4',
        instance: 'node-exporter:9100',
        job: 'node',
        mountpoint: '/volumes/audio',
        volume: 'audio',
      },
    ],
  },
  {
    // A heartbeat kept fresh, then one from 27 hours before the start.
    alert: 'BackupTooOld',
    healthy: [
      { series: `medic_scribe_backup_last_success_timestamp_seconds{${NODE}}`, values: '0+60x150' },
      { series: `up{${NODE}}`, values: steady(1) },
    ],
    faulty: [
      {
        series: `medic_scribe_backup_last_success_timestamp_seconds{${NODE}}`,
        values: `0+60x${FAULT_AT - 1} -97200x110`,
      },
      { series: `up{${NODE}}`, values: steady(1) },
    ],
    labels: [{}],
  },
  {
    alert: 'TargetDown',
    healthy: [{ series: `up{${NODE}}`, values: steady(1) }],
    faulty: [{ series: `up{${NODE}}`, values: fault(1, '0x110') }],
    labels: [{ job: 'node', instance: 'node-exporter:9100' }],
  },
]

const minutes = (d: string): number => {
  const m = /^(\d+)(s|m|h)$/.exec(d)!
  return Number(m[1]) * { s: 1 / 60, m: 1, h: 60 }[m[2] as 's' | 'm' | 'h']
}

const rule = (name: string): AlertRule => {
  const r = RULES.find((x) => x.alert === name)
  if (!r) throw new Error(`no rule ${name}`)
  return r
}

/** The summary as Prometheus expands it for these labels (the summaries use only $labels). */
const expand = (r: AlertRule, labels: Record<string, string>) => ({
  summary: r.summary.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k] ?? ''),
  runbook_url: `${RUNBOOK}#${r.runbook}`,
})

const expected = (r: AlertRule, labels: Record<string, string>[]) =>
  labels.map((l) => ({
    exp_labels: { ...l, severity: r.severity },
    exp_annotations: expand(r, l),
  }))

/** Three checks per rule: quiet while healthy, pending (not firing) before `for`, firing after. */
function promtoolTests(c: Case) {
  const r = rule(c.alert)
  const start = c.from ?? FAULT_AT
  const late = Math.ceil(start + minutes(r.for)) + 2
  const early = Math.max(start, Math.ceil(start + minutes(r.for)) - 1)
  return [
    {
      name: `${c.alert} stays quiet on healthy series`,
      interval: '1m',
      input_series: c.healthy,
      alert_rule_test: [{ eval_time: `${late}m`, alertname: c.alert, exp_alerts: [] }],
    },
    {
      name: `${c.alert} fires after its for: (${r.for}), not before`,
      interval: '1m',
      input_series: c.faulty,
      alert_rule_test: [
        { eval_time: `${early}m`, alertname: c.alert, exp_alerts: [] },
        { eval_time: `${late}m`, alertname: c.alert, exp_alerts: expected(r, c.labels) },
      ],
    },
  ]
}

/** The special shapes: an absent series, and the always-firing Watchdog. */
const EXTRA = [
  {
    name: 'BackupTooOld fires when no backup ever wrote its heartbeat, while the node exporter answers',
    interval: '1m',
    input_series: [{ series: `up{${NODE}}`, values: steady(1) }],
    alert_rule_test: [
      { eval_time: '5m', alertname: 'BackupTooOld', exp_alerts: [] },
      {
        eval_time: '12m',
        alertname: 'BackupTooOld',
        exp_alerts: expected(rule('BackupTooOld'), [{}]),
      },
    ],
  },
  {
    name: 'BackupTooOld says nothing when the node exporter itself is down (TargetDown does)',
    interval: '1m',
    input_series: [{ series: `up{${NODE}}`, values: steady(0) }],
    alert_rule_test: [{ eval_time: '12m', alertname: 'BackupTooOld', exp_alerts: [] }],
  },
  {
    name: 'ApiDown fires when no replica is scraped at all (every api container gone)',
    interval: '1m',
    input_series: [{ series: `up{${API}}`, values: '1x10' }],
    alert_rule_test: [
      { eval_time: '8m', alertname: 'ApiDown', exp_alerts: [] },
      { eval_time: '20m', alertname: 'ApiDown', exp_alerts: expected(rule('ApiDown'), [{}]) },
    ],
  },
  {
    name: 'SiteDown keeps firing for keep_firing_for after the site answers, so its consequences resolve first',
    interval: '1m',
    input_series: [{ series: `probe_success{job="site",instance="${SITE}"}`, values: '0x5 1x10' }],
    alert_rule_test: [
      {
        eval_time: '6m',
        alertname: 'SiteDown',
        exp_alerts: expected(rule('SiteDown'), [{ job: 'site', instance: SITE }]),
      },
      { eval_time: '8m', alertname: 'SiteDown', exp_alerts: [] },
    ],
  },
  {
    name: 'Watchdog fires always, once its for: has passed',
    interval: '1m',
    input_series: [],
    alert_rule_test: [
      { eval_time: '0m', alertname: 'Watchdog', exp_alerts: [] },
      { eval_time: '1m', alertname: 'Watchdog', exp_alerts: expected(rule('Watchdog'), [{}]) },
    ],
  },
]

describe('the alert rules under promtool test rules (production thresholds)', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'monitor-rules-'))
    await writeFile(join(dir, 'rules.yml'), stringify(rulesFile(RULES, RUNBOOK)))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('should have a firing and a quiet case for every rule', () => {
    const covered = new Set([...CASES.map((c) => c.alert), 'Watchdog'])
    expect(RULES.map((r) => r.alert).filter((a) => !covered.has(a))).toEqual([])
  })

  it('should pass every case', async () => {
    const tests = [...CASES.flatMap(promtoolTests), ...EXTRA]
    await writeFile(
      join(dir, 'tests.yml'),
      stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests }, { lineWidth: 0 })
    )
    const run = await monitorTool('promtool', ['test', 'rules', join(dir, 'tests.yml')])
    expect(run.out).toContain('SUCCESS')
    expect(run.code, run.out).toBe(0)
  })

  it('should fail when a rule does not fire as expected (the check can fail)', async () => {
    const wrong = { ...promtoolTests(CASES[0]!)[0]!, name: 'deliberately wrong' }
    wrong.alert_rule_test = [
      { eval_time: '50m', alertname: 'SiteDown', exp_alerts: expected(rule('SiteDown'), [{}]) },
    ]
    await writeFile(
      join(dir, 'wrong.yml'),
      stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests: [wrong] })
    )
    const run = await monitorTool('promtool', ['test', 'rules', join(dir, 'wrong.yml')])
    expect(run.code).not.toBe(0)
  })
})
