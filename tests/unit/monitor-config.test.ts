import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseOpsEnv } from '../../ops/lib/env.ts'
import { StopError } from '../../ops/lib/errors.ts'
import { configuredIntegrations } from '../../ops/lib/monitor/alertmanager-config.ts'
import { monitorFiles } from '../../ops/lib/monitor/render.ts'
import { alertRules } from '../../ops/lib/monitor/rules.ts'
import { DEFAULT_THRESHOLDS, TEST_THRESHOLDS } from '../../ops/lib/monitor/thresholds.ts'
import { gauge, writeTextfileMetrics } from '../../ops/lib/textfile.ts'
import { backupPipeline } from '../../ops/steps/backup/index.ts'
import type { BackupContext } from '../../ops/steps/backup/context.ts'
import { HEARTBEAT_METRIC, heartbeat } from '../../ops/steps/backup/heartbeat.ts'
import { monitorTool } from '../support/monitor-tools.ts'

const ALL_RECEIVERS = {
  ALERT_WEBHOOK_URL: 'http://hooks.example.org/alerts',
  ALERT_SLACK_WEBHOOK_URL: 'https://chat.example.org/hooks/abc',
  ALERT_SLACK_CHANNEL: '#clinic-ops',
  ALERT_EMAIL_TO: 'ops@example.org',
  SMTP_SMARTHOST: 'smtp.example.org:587',
  SMTP_FROM: 'scribe@example.org',
  SMTP_USERNAME: 'scribe',
  SMTP_PASSWORD: 'secret',
  ALERT_WATCHDOG_URL: 'https://deadman.example.org/ping/xyz',
}

describe('the monitor configuration rendered from the settings', () => {
  let dir = ''
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'monitor-config-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const render = async (raw: Record<string, string>, thresholds = DEFAULT_THRESHOLDS) => {
    const files = monitorFiles(parseOpsEnv(raw, '/nonexistent/.env'), 'local', thresholds)
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
    return files
  }

  it.each([
    ['every receiver', ALL_RECEIVERS],
    ['no receiver', {}],
  ])(
    'should pass promtool check config, check rules and amtool check-config with %s',
    async (_, settings) => {
      for (const t of [DEFAULT_THRESHOLDS, TEST_THRESHOLDS]) {
        await render(settings, t)
        const config = await monitorTool('promtool', [
          'check',
          'config',
          join(dir, 'prometheus.yml'),
        ])
        expect(config.out).toContain('SUCCESS')
        expect(config.code).toBe(0)
        const rules = await monitorTool('promtool', ['check', 'rules', join(dir, 'rules.yml')])
        expect(rules.code, rules.out).toBe(0)
        const am = await monitorTool('amtool', ['check-config', join(dir, 'alertmanager.yml')])
        expect(am.code, am.out).toBe(0)
      }
    }
  )

  it('should let amtool refuse a broken Alertmanager file (the check can fail)', async () => {
    await writeFile(join(dir, 'alertmanager.yml'), 'route:\n  receiver: nobody\nreceivers: []\n')
    const am = await monitorTool('amtool', ['check-config', join(dir, 'alertmanager.yml')])
    expect(am.code).not.toBe(0)
  })

  it('should send to each configured receiver with resolved messages, and know which they are', async () => {
    const files = await render(ALL_RECEIVERS)
    const am = parse(files['alertmanager.yml']) as {
      receivers: { name: string; [k: string]: unknown }[]
    }
    const operators = am.receivers.find((r) => r.name === 'operators') as Record<
      string,
      { send_resolved: boolean }[]
    >
    for (const kind of ['webhook_configs', 'slack_configs', 'email_configs'])
      expect(operators[kind]?.[0]?.send_resolved).toBe(true)
    expect(configuredIntegrations(parseOpsEnv(ALL_RECEIVERS, 'x'))).toEqual([
      'webhook',
      'slack',
      'email',
    ])
    expect(configuredIntegrations(parseOpsEnv({}, 'x'))).toEqual([])
  })

  it('should group by alert, repeat, and let SiteDown mute its consequences', async () => {
    const am = parse((await render({}))['alertmanager.yml']) as {
      route: { group_by: string[]; repeat_interval: string; group_wait: string }
      inhibit_rules: { source_matchers: string[]; target_matchers: string[] }[]
    }
    expect(am.route.group_by).toEqual(['alertname'])
    expect(am.route.repeat_interval).toBe('4h')
    const site = am.inhibit_rules.find((r) => r.source_matchers[0] === 'alertname="SiteDown"')
    expect(site?.target_matchers[0]).toMatch(/ApiNotReady\|ApiDown\|HighErrorRate/)
    expect(site?.target_matchers[0]).not.toMatch(/SiteDown|Backup|Disk|Certificate|Watchdog/)
  })

  it('should refuse email without an SMTP server, in one line naming the settings', () => {
    expect(() =>
      monitorFiles(parseOpsEnv({ ALERT_EMAIL_TO: 'ops@example.org' }, 'x'), 'local')
    ).toThrow(StopError)
  })

  it('should give every rule a for:, a severity, a summary and a runbook link', async () => {
    const rules = parse((await render({}))['rules.yml']) as {
      groups: { rules: Record<string, unknown>[] }[]
    }
    for (const r of rules.groups[0]!.rules) {
      expect(r.for, String(r.alert)).toBeTruthy()
      expect((r.labels as { severity: string }).severity).toMatch(/^(critical|warning|none)$/)
      const a = r.annotations as { summary: string; runbook_url: string }
      expect(a.summary).toMatch(/: /)
      expect(a.summary).not.toContain('\n')
      expect(a.runbook_url).toMatch(/^RUNBOOK\.md#[a-z-]+$/)
    }
  })

  it('should leave out the 14-day certificate warning for a short-lived certificate', () => {
    const names = (shortLived: boolean) =>
      alertRules(DEFAULT_THRESHOLDS, { certShortLived: shortLived }).map((r) => r.alert)
    expect(names(false)).toContain('CertificateExpiringSoon')
    expect(names(true)).not.toContain('CertificateExpiringSoon')
    expect(names(true)).toContain('CertificateExpiryCritical')
  })

  it('should refuse a retention that is not a duration', () => {
    expect(() => parseOpsEnv({ PROMETHEUS_RETENTION: 'two weeks' }, 'x')).toThrow(StopError)
  })
})

describe('textfile metrics for the node exporter', () => {
  it('should write the file atomically, readable by the exporter, with no temporary left', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'textfile-')), 'metrics')
    const text = gauge('medic_scribe_backup_last_success_timestamp_seconds', 'Last backup.', [
      { value: 1764547200 },
    ])
    const file = await writeTextfileMetrics(dir, 'backup', text)
    expect(await readFile(file, 'utf8')).toBe(
      '# HELP medic_scribe_backup_last_success_timestamp_seconds Last backup.\n' +
        '# TYPE medic_scribe_backup_last_success_timestamp_seconds gauge\n' +
        'medic_scribe_backup_last_success_timestamp_seconds 1764547200\n'
    )
    expect((await stat(file)).mode & 0o777).toBe(0o644)
    expect((await stat(dir)).mode & 0o755).toBe(0o755)
    expect(await readdir(dir)).toEqual(['backup.prom'])
    await expect(writeTextfileMetrics(dir, '../escape', text)).rejects.toThrow(/name/)
    await rm(dir, { recursive: true })
  })

  it('should have make backup write its heartbeat right after restic stored the snapshot', async () => {
    const names = backupPipeline.steps.map((st) => st.name)
    expect(names.slice(-2)).toEqual(['restic backup', 'backup heartbeat'])
    const dir = await mkdtemp(join(tmpdir(), 'heartbeat-'))
    const ctx = {
      dryRun: false,
      env: parseOpsEnv({ METRICS_TEXTFILE_DIR: dir }, 'x'),
    } as unknown as BackupContext
    const before = Math.floor(Date.now() / 1000)
    await heartbeat.run(ctx)
    const m = new RegExp(`^${HEARTBEAT_METRIC} (\\d+)$`, 'm').exec(
      await readFile(join(dir, 'backup.prom'), 'utf8')
    )
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(before)
    expect(Number(m?.[1])).toBeLessThanOrEqual(Math.floor(Date.now() / 1000))
    await rm(dir, { recursive: true })
  })
})
