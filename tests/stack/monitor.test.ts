// The monitor on the suite's stack, with real Prometheus, Alertmanager, blackbox and node
// exporters and the test timings (ops/lib/monitor/thresholds.ts TEST_THRESHOLDS), notifying a
// webhook receiver of the test's own. The api is killed and brought back, Alertmanager is
// restarted mid-incident, the backup heartbeat goes missing and stale, and a silence is made and
// expired with the operator's own commands. The monitor's services are removed at the end and the
// api is left running and healthy.
import { execFile } from 'node:child_process'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { composeArgs } from '../../ops/lib/compose.ts'
import { parseOpsEnv } from '../../ops/lib/env.ts'
import { DEFAULT_TAG } from '../../ops/lib/images.ts'
import { createContext } from '../../ops/lib/context.ts'
import { MONITOR_IMAGES, ensureMonitorImage } from '../../ops/lib/monitor/images.ts'
import { monitorFiles, writeMonitorConfig } from '../../ops/lib/monitor/render.ts'
import { TEST_THRESHOLDS } from '../../ops/lib/monitor/thresholds.ts'
import { freePort } from '../support/scratch-stack.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import { gauge, writeTextfileMetrics } from '../../ops/lib/textfile.ts'
import { HEARTBEAT_METRIC } from '../../ops/steps/backup/heartbeat.ts'
import { ops } from './ops-script.ts'
import { startReceiver } from './monitor-support.ts'
import type { Receiver } from './monitor-support.ts'
import { connect, until } from './stack.ts'

const exec = promisify(execFile)
const stack = inject('stack')
const MONITOR = ['prometheus', 'alertmanager', 'blackbox', 'node-exporter']
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

describe.skipIf(!stack)(
  'monitor: health alerts through Prometheus and Alertmanager',
  { timeout: 180_000 },
  () => {
    const s = connect(stack!)
    const project = stack!.projectName
    let receiver: Receiver
    let configDir = ''
    let textfileDir = ''
    let backupDir = ''
    const drillVolume = `${project}_monitor-drill`
    let settings: Record<string, string> = {}
    const figures: string[] = []

    const compose = (...args: string[]) =>
      exec(
        'docker',
        [
          ...composeArgs('local', { project, envFile: null, monitor: true }),
          '-f',
          join(backupDir, 'compose.drill.yml'),
          ...args,
        ],
        {
          env: { ...process.env, ...stack!.env, ...settings },
          maxBuffer: 16 * 1024 * 1024,
        }
      )
    const prom = async <T>(path: string): Promise<T> =>
      (
        (await (await fetch(`http://127.0.0.1:${settings.PROMETHEUS_PORT}${path}`)).json()) as {
          data: T
        }
      ).data
    const query = async (q: string) =>
      (
        await prom<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
          `/api/v1/query?query=${encodeURIComponent(q)}`
        )
      ).result
    const promAlert = async (name: string, state: 'pending' | 'firing') =>
      (
        await prom<{ alerts: { labels: Record<string, string>; state: string }[] }>(
          '/api/v1/alerts'
        )
      ).alerts.some((a) => a.labels.alertname === name && a.state === state)
    const amAlert = async (name: string) =>
      (
        (await (
          await fetch(`http://127.0.0.1:${settings.ALERTMANAGER_PORT}/api/v2/alerts`)
        ).json()) as {
          labels: Record<string, string>
          status: { state: string; silencedBy: string[]; inhibitedBy: string[] }
        }[]
      ).find((a) => a.labels.alertname === name)
    const { healthy } = s
    const heartbeat = (ageSeconds: number) =>
      writeTextfileMetrics(
        textfileDir,
        'backup',
        gauge(HEARTBEAT_METRIC, 'test heartbeat', [
          { value: Math.floor(Date.now() / 1000) - ageSeconds },
        ])
      )
    /** How long Alertmanager takes to send what it would send: group_wait, then two flushes. */
    const quietWindow = () => new Promise((r) => setTimeout(r, 1_000 + 2 * 2_000 + 1_000))

    beforeAll(async () => {
      const ctx = createContext({ dryRun: false })
      for (const name of MONITOR_IMAGES) await ensureMonitorImage(ctx, name, DEFAULT_TAG)
      receiver = await startReceiver(`${project}_default`)
      configDir = await mkdtemp(join(tmpdir(), 'monitor-config-'))
      textfileDir = await mkdtemp(join(tmpdir(), 'monitor-textfile-'))
      await chmod(textfileDir, 0o755)
      backupDir = await mkdtemp(join(tmpdir(), 'monitor-backup-'))
      await heartbeat(0)
      settings = {
        COMPOSE_PROJECT_NAME: project,
        SCRIBE_ENV_FILE: join(configDir, 'no-env-file'),
        SCRIBE_TAG: DEFAULT_TAG,
        MONITOR_CONFIG_DIR: configDir,
        METRICS_TEXTFILE_DIR: textfileDir,
        PROMETHEUS_PORT: String(await freePort()),
        ALERTMANAGER_PORT: String(await freePort()),
        PROMETHEUS_RESEND_DELAY: '2s',
        ALERT_WEBHOOK_URL: receiver.url('/'),
        ALERT_SLACK_WEBHOOK_URL: receiver.url('/slack'),
      }
      const env = parseOpsEnv(settings, settings.SCRIBE_ENV_FILE!)
      await writeMonitorConfig(configDir, monitorFiles(env, 'local', TEST_THRESHOLDS), 'local')
      // The disk drill: the node exporter sees a small tmpfs volume as the audio volume (the
      // api keeps its own), so filling it never touches the suite's data.
      await exec('docker', [
        'volume',
        'create',
        '--driver',
        'local',
        '--opt',
        'type=tmpfs',
        '--opt',
        'device=tmpfs',
        '--opt',
        'o=size=8m',
        drillVolume,
      ])
      await writeFile(
        join(backupDir, 'compose.drill.yml'),
        `services:\n  node-exporter:\n    volumes:\n      - drill:/volumes/audio:ro\nvolumes:\n  drill:\n    external: true\n    name: ${drillVolume}\n`
      )
      // The monitor's file gives the api its PROMETHEUS_URL, so compose recreates the api: done
      // first, on its own, so Prometheus never scrapes that restart (it paged ApiDown before the
      // test's own kill).
      await compose('up', '-d', '--wait', '--wait-timeout', '120', 'api')
      await compose('up', '-d', '--wait', '--wait-timeout', '120', ...MONITOR)
      // Baseline: the site probed up through the edge, every api replica scraped, nothing firing
      // but the Watchdog.
      await until(
        'the site probed up and the api scraped',
        async () =>
          (await query('probe_success{job="site"} == 1')).length === 1 &&
          (await query('up{job="api"} == 1')).length >= 1 &&
          (await query('up{job="node"} == 1')).length === 1,
        60_000
      )
    })

    afterAll(async () => {
      // The suite's stack as it was: the api running and healthy, the monitor gone.
      await s.docker('start', s.container('api')).catch(() => {})
      await healthy('api').catch(() => {})
      await compose('rm', '--stop', '--force', '--volumes', ...MONITOR).catch(() => {})
      await exec('docker', [
        'volume',
        'rm',
        '-f',
        `${project}_prometheus`,
        `${project}_alertmanager`,
        drillVolume,
      ]).catch(() => {})
      await receiver?.close()
      for (const d of [configDir, textfileDir, backupDir])
        if (d) await rm(d, { recursive: true, force: true })
      await rm(fromRoot('build', 'backup', project), { recursive: true, force: true })
      await rm(fromRoot('build', 'backup', `${project}.lock`), { force: true })
      if (figures.length) console.log(`monitor figures (test timings):\n  ${figures.join('\n  ')}`)
    })

    it('should run hardened like the other services, published on 127.0.0.1 only', async () => {
      for (const service of MONITOR) {
        const [c] = JSON.parse(await s.docker('inspect', `${project}-${service}-1`)) as {
          Config: { User: string }
          State: { Health?: { Status: string } }
          HostConfig: {
            ReadonlyRootfs: boolean
            CapDrop: string[]
            SecurityOpt: string[]
            Memory: number
            PortBindings: Record<string, { HostIp: string }[]> | null
          }
        }[]
        expect(c!.Config.User, service).toMatch(/^(prometheus|\d+)/)
        expect(c!.Config.User).not.toMatch(/^(root|0)(:|$)/)
        expect(c!.HostConfig.ReadonlyRootfs, service).toBe(true)
        expect(c!.HostConfig.CapDrop).toContain('ALL')
        expect(c!.HostConfig.SecurityOpt).toContain('no-new-privileges:true')
        expect(c!.HostConfig.Memory).toBeGreaterThan(0)
        expect(c!.State.Health?.Status, service).toBe('healthy')
        for (const bindings of Object.values(c!.HostConfig.PortBindings ?? {}))
          for (const b of bindings) expect(b.HostIp, service).toBe('127.0.0.1')
      }
    })

    it('should page once for a killed api, mute its consequences, survive an Alertmanager restart, and resolve once', async () => {
      const killedAt = Date.now()
      await s.docker('kill', s.container('api'))
      await until(
        'a SiteDown notification',
        async () => receiver.received('SiteDown', 'firing').length > 0,
        60_000
      )
      figures.push(
        `SiteDown: api killed → firing notification ${seconds(receiver.received('SiteDown', 'firing')[0]!.receivedAt - killedAt)}`
      )

      // What the operator sees meanwhile.
      const status = await ops('monitor-status.ts', [], settings)
      expect(status.code, status.out).toBe(0)
      expect(status.out).toMatch(/FIRING\s+SiteDown/)

      // Restarted mid-incident, Alertmanager remembers what it sent (its volume) and stays quiet.
      await s.docker('restart', `${project}-alertmanager-1`)
      await healthy('alertmanager')
      await until(
        'SiteDown back in Alertmanager',
        async () => (await amAlert('SiteDown')) !== undefined,
        30_000
      )
      // The consequences fire in Prometheus and are inhibited in Alertmanager, not sent.
      await until('ApiDown firing in Prometheus', () => promAlert('ApiDown', 'firing'), 30_000)
      await until(
        'ApiDown inhibited',
        async () => ((await amAlert('ApiDown'))?.status.inhibitedBy.length ?? 0) > 0,
        30_000
      )
      await quietWindow()
      expect((await ops('monitor-status.ts', [], settings)).out).toMatch(/inhibited\s+ApiDown/)

      const fixedAt = Date.now()
      await s.docker('start', s.container('api'))
      await healthy('api')
      const healthyAt = Date.now()
      await until(
        'the SiteDown resolution',
        async () => receiver.received('SiteDown', 'resolved').length > 0,
        60_000
      )
      figures.push(
        `SiteDown: api started → resolved notification ${seconds(receiver.received('SiteDown', 'resolved')[0]!.receivedAt - fixedAt)} (docker saw it healthy after ${seconds(healthyAt - fixedAt)})`
      )
      await quietWindow()

      expect(receiver.received('SiteDown', 'firing')).toHaveLength(1)
      expect(receiver.received('SiteDown', 'resolved')).toHaveLength(1)
      for (const inhibited of ['ApiDown', 'ApiNotReady', 'HighErrorRate'])
        expect(
          receiver.notifications
            .flatMap((n) => n.alerts)
            .filter((a) => a.labels.alertname === inhibited)
        ).toEqual([])
    })

    it('should fire the backup alert when no heartbeat is there, and resolve it after make backup', async () => {
      await rm(join(textfileDir, 'backup.prom'))
      const removedAt = Date.now()
      await until(
        'BackupTooOld (no heartbeat)',
        async () => receiver.received('BackupTooOld', 'firing').length > 0,
        60_000
      )
      figures.push(
        `BackupTooOld: heartbeat removed → firing ${seconds(receiver.received('BackupTooOld', 'firing')[0]!.receivedAt - removedAt)}`
      )
      // A real `make backup` writes the fresh heartbeat (its last step, once restic stored it).
      const backup = await ops('backup.ts', [], {
        ...settings,
        RESTIC_REPOSITORY: join(backupDir, 'restic'),
        RESTIC_PASSWORD_FILE: join(backupDir, 'restic-password'),
        POSTGRES_PASSWORD: stack!.env.POSTGRES_PASSWORD!,
      })
      expect(backup.code, backup.out).toBe(0)
      expect(backup.out).toContain('✓ backup heartbeat')
      const backedUpAt = Date.now()
      await until(
        'BackupTooOld resolved',
        async () => receiver.received('BackupTooOld', 'resolved').length > 0,
        60_000
      )
      figures.push(
        `BackupTooOld: make backup done → resolved ${seconds(receiver.received('BackupTooOld', 'resolved')[0]!.receivedAt - backedUpAt)}`
      )
    })

    it('should fire the certificate alerts for a certificate that expires in 2 days', async () => {
      // As the certificate script reports one (textfile); the edge's own is valid for months.
      const reportedAt = Date.now()
      await writeTextfileMetrics(
        textfileDir,
        'certificates',
        gauge('medic_scribe_certificate_not_after_timestamp_seconds', 'test certificate', [
          {
            labels: { name: 'short.example.org' },
            value: Math.floor(Date.now() / 1000) + 2 * 86400,
          },
        ])
      )
      await until(
        'CertificateExpiryCritical',
        async () => receiver.received('CertificateExpiryCritical', 'firing').length > 0,
        60_000
      )
      figures.push(
        `CertificateExpiryCritical: 2 days left reported → firing ${seconds(receiver.received('CertificateExpiryCritical', 'firing')[0]!.receivedAt - reportedAt)}`
      )
      expect(receiver.received('CertificateExpiryCritical', 'firing')[0]?.labels.name).toBe(
        'short.example.org'
      )
      await until(
        'CertificateExpiringSoon',
        async () => receiver.received('CertificateExpiringSoon', 'firing').length > 0,
        30_000
      )
      // The edge's certificate (397 days, local CA), probed through the edge, is far from it.
      const left = await query('probe_ssl_earliest_cert_expiry{job="site"} - time()')
      expect(Number(left[0]?.value[1])).toBeGreaterThan(14 * 86400)
      await rm(join(textfileDir, 'certificates.prom'))
      await until(
        'CertificateExpiryCritical resolved',
        async () => receiver.received('CertificateExpiryCritical', 'resolved').length > 0,
        60_000
      )
    })

    it('should fire DiskSpaceLow when the audio volume fills past 85 %, and resolve when freed', async () => {
      const fill = (...cmd: string[]) =>
        exec('docker', [
          'run',
          '--rm',
          '--user',
          '0',
          '-v',
          `${drillVolume}:/fill`,
          '--entrypoint',
          cmd[0]!,
          `medic-scribe/node-exporter:${DEFAULT_TAG}`,
          ...cmd.slice(1),
        ])
      const filledAt = Date.now()
      await fill('dd', 'if=/dev/zero', 'of=/fill/blob', 'bs=1M', 'count=7')
      await until(
        'DiskSpaceLow',
        async () => receiver.received('DiskSpaceLow', 'firing').length > 0,
        60_000
      )
      figures.push(
        `DiskSpaceLow: 7 of 8 MB written → firing ${seconds(receiver.received('DiskSpaceLow', 'firing')[0]!.receivedAt - filledAt)}`
      )
      expect(receiver.received('DiskSpaceLow', 'firing').map((a) => a.labels.volume)).toEqual([
        'audio',
      ])
      await fill('rm', '/fill/blob')
      await until(
        'DiskSpaceLow resolved',
        async () => receiver.received('DiskSpaceLow', 'resolved').length > 0,
        60_000
      )
    })

    it('should hold back a silenced alert, and let it through once make silence expires the silence', async () => {
      const before = receiver.received('BackupTooOld', 'firing').length
      const add = await ops(
        'silence.ts',
        ['--for', '10m', '--reason', 'stack test', '--match', 'alertname=BackupTooOld'],
        settings
      )
      expect(add.code, add.out).toBe(0)
      const list = await ops('silence.ts', ['--list'], settings)
      expect(list.out).toContain('stack test')

      await heartbeat(27 * 3600)
      await until(
        'BackupTooOld silenced in Alertmanager',
        async () => ((await amAlert('BackupTooOld'))?.status.silencedBy.length ?? 0) > 0,
        60_000
      )
      await quietWindow()
      expect(receiver.received('BackupTooOld', 'firing')).toHaveLength(before)

      const expiredAt = Date.now()
      const expire = await ops('silence.ts', ['--expire', 'all'], settings)
      expect(expire.code, expire.out).toBe(0)
      await until(
        'BackupTooOld after the silence',
        async () => receiver.received('BackupTooOld', 'firing').length > before,
        60_000
      )
      figures.push(
        `BackupTooOld: silence expired → firing ${seconds(receiver.received('BackupTooOld', 'firing').at(-1)!.receivedAt - expiredAt)}`
      )
      await heartbeat(0)
      await until(
        'BackupTooOld resolved again',
        async () => receiver.received('BackupTooOld', 'resolved').length > 1,
        60_000
      )
    })

    it('should send make alerts-test to every configured receiver and say which answered', async () => {
      const run = await ops('alerts-test.ts', ['--timeout', '30'], settings)
      expect(run.code, run.out).toBe(0)
      expect(run.out).toMatch(/webhook\s+answered/)
      expect(run.out).toMatch(/slack\s+answered/)
      expect(receiver.received('AlertsTest', 'firing', '/')).toHaveLength(1)
      expect(receiver.notifications.some((n) => n.path === '/slack')).toBe(true)
    })
  }
)
