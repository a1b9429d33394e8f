// The admin Status screen in Chromium against the suite's stack with the monitor's services
// beside it (as `make up ARGS=--monitor`): an admin sees real values from Prometheus through the
// API, axe-clean on a phone, with a screenshot; a clinician is shown no such screen.
import { execFile } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { composeArgs } from '../../ops/lib/compose.ts'
import { createContext } from '../../ops/lib/context.ts'
import { parseOpsEnv } from '../../ops/lib/env.ts'
import { DEFAULT_TAG } from '../../ops/lib/images.ts'
import { MONITOR_IMAGES, ensureMonitorImage } from '../../ops/lib/monitor/images.ts'
import { monitorFiles, writeMonitorConfig } from '../../ops/lib/monitor/render.ts'
import { TEST_THRESHOLDS } from '../../ops/lib/monitor/thresholds.ts'
import { gauge, writeTextfileMetrics } from '../../ops/lib/textfile.ts'
import { HEARTBEAT_METRIC } from '../../ops/steps/backup/heartbeat.ts'
import type { AdminStatus } from '../../api/src/contract/admin.ts'
import { freePort } from '../support/scratch-stack.ts'
import { connect, until } from '../stack/stack.ts'
import { DESKTOP, PHONE, launchBrowser, screenshot, signedInContext } from './browser.ts'
import type { Browsing } from './browser.ts'
import { audit } from './axe.ts'

const exec = promisify(execFile)
const stack = inject('stack')
const MONITOR = ['prometheus', 'alertmanager', 'blackbox', 'node-exporter']
const ADMIN = 'status-admin@example.org'
const ADMIN_PASSWORD = 'status-admin-password-1'

describe.skipIf(!stack)('e2e: the admin Status screen', { timeout: 240_000 }, () => {
  const s = connect(stack!)
  const project = stack!.projectName
  let settings: Record<string, string> = {}
  let configDir = ''
  let textfileDir = ''
  let browsing: Browsing
  let adminToken = ''
  let clinicianToken = ''

  // The suite's compose files plus the monitor's: the api is recreated with PROMETHEUS_URL.
  const compose = (monitor: boolean, ...args: string[]) =>
    exec('docker', [...composeArgs('local', { project, envFile: null, monitor }), ...args], {
      env: { ...process.env, ...stack!.env, ...settings },
      maxBuffer: 16 * 1024 * 1024,
    })
  const adminStatus = async () => {
    const res = await s.request('/api/admin/status', {
      headers: { authorization: `Bearer ${adminToken}` },
    })
    return { status: res.status, body: (await res.json()) as AdminStatus }
  }

  beforeAll(async () => {
    const ctx = createContext({ dryRun: false })
    for (const name of MONITOR_IMAGES) await ensureMonitorImage(ctx, name, DEFAULT_TAG)
    configDir = await mkdtemp(join(tmpdir(), 'status-monitor-'))
    textfileDir = await mkdtemp(join(tmpdir(), 'status-textfile-'))
    await chmod(textfileDir, 0o755)
    // A backup an hour ago, so the backup tile shows a real age.
    await writeTextfileMetrics(
      textfileDir,
      'backup',
      gauge(HEARTBEAT_METRIC, 'test heartbeat', [{ value: Math.floor(Date.now() / 1000) - 3600 }])
    )
    settings = {
      COMPOSE_PROJECT_NAME: project,
      SCRIBE_TAG: DEFAULT_TAG,
      MONITOR_CONFIG_DIR: configDir,
      METRICS_TEXTFILE_DIR: textfileDir,
      PROMETHEUS_PORT: String(await freePort()),
      ALERTMANAGER_PORT: String(await freePort()),
    }
    const env = parseOpsEnv(settings, join(configDir, 'no-env-file'))
    await writeMonitorConfig(configDir, monitorFiles(env, 'local', TEST_THRESHOLDS), 'local')
    await compose(true, 'up', '-d', '--wait', '--wait-timeout', '120', 'api', ...MONITOR)

    await s.docker(
      'exec',
      '-e',
      `USER_PASSWORD=${ADMIN_PASSWORD}`,
      s.container('api'),
      'node',
      '/app/user.js',
      'add',
      ADMIN,
      '--admin'
    )
    adminToken = await loginAs(ADMIN, ADMIN_PASSWORD)
    clinicianToken = await s.login()
    // Real values: the site probed through the edge and the api scraped, by Prometheus.
    await until(
      'Prometheus to have probed the site and scraped the api',
      async () => {
        const { status, body } = await adminStatus()
        const tile = (m: string) => body.tiles.find((t) => t.metric === m)
        return status === 200 &&
          tile('site_up')?.value === 1 &&
          (tile('api_replicas_up')?.value ?? 0) >= 1
          ? body
          : undefined
      },
      90_000
    )
    browsing = await launchBrowser(stack!)
  })

  afterAll(async () => {
    await browsing?.close()
    await compose(true, 'rm', '--stop', '--force', '--volumes', ...MONITOR).catch(() => {})
    // The api as the rest of the suite expects it: without the monitor's settings.
    await compose(false, 'up', '-d', '--wait', '--wait-timeout', '120', 'api').catch(() => {})
    await exec('docker', [
      'volume',
      'rm',
      '-f',
      `${project}_prometheus`,
      `${project}_alertmanager`,
    ]).catch(() => {})
    await rm(configDir, { recursive: true, force: true })
    await rm(textfileDir, { recursive: true, force: true })
  })

  async function loginAs(email: string, password: string): Promise<string> {
    const res = await s.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`)
    return ((await res.json()) as { access_token: string }).access_token
  }

  it('should answer an admin quickly through the edge, and a clinician 403', async () => {
    const ms: number[] = []
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now()
      expect((await adminStatus()).status).toBe(200)
      ms.push(performance.now() - t0)
    }
    console.log(
      `GET /api/admin/status through the edge: ${ms.map((m) => m.toFixed(0)).join(', ')} ms`
    )
    const res = await s.request('/api/admin/status', {
      headers: { authorization: `Bearer ${clinicianToken}` },
    })
    expect(res.status).toBe(403)
  })

  it('should show an admin the tiles with real values and charts, axe-clean', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      const context = await signedInContext(
        browsing,
        { ...stack!, email: ADMIN },
        adminToken,
        viewport
      )
      const page = await context.newPage()
      // Chromium drops a navigation when the host's interfaces change (other containers'
      // networks coming and going on a shared engine): once more, then it counts.
      await page.goto(`${s.base}/status`).catch(() => page.goto(`${s.base}/status`))
      await page.getByRole('heading', { name: 'Status', level: 1 }).waitFor({ timeout: 60_000 })
      // Real values, read from Prometheus: the backup heartbeat written an hour ago (through
      // the node exporter), the api replicas scraped, the site probed (up, or down when this
      // machine is too loaded for the probe's 1 s timeout: a value either way).
      const tile = (name: string) => page.getByRole('listitem').filter({ hasText: name })
      const backup = tile('Last successful backup')
      await backup
        .getByText(/^6\d min ago$/)
        .waitFor({ timeout: 60_000 })
        .catch(async (err: unknown) => {
          // What the screen showed instead, for whoever reads the failure.
          console.log(`status screen: ${(await page.locator('main').innerText()).slice(0, 800)}`)
          throw err
        })
      await tile('API replicas up')
        .getByText(/^[1-9]$/)
        .waitFor()
      await tile('Site (through the edge)')
        .getByText(/^(Up|Down)$/)
        .waitFor()
      await expect(page.getByRole('link', { name: 'Status' }).count()).resolves.toBe(1)
      // The charts drawn (uPlot's canvas) with their text alternative. A monitor started seconds
      // ago may hold one sample per series on the last hour's 15 s grid, and a chart is drawn
      // from two: the screen's own 30 s refresh brings the second.
      await page.locator('.sparkline canvas').first().waitFor({ timeout: 75_000 })
      expect(await backup.getByRole('img').getAttribute('aria-label')).toMatch(
        /^Last successful backup, last (24 hours|hour), lowest 6\d min ago, highest 6\d min ago, latest 6\d min ago, threshold 26 h ago$/
      )
      expect(await audit(page)).toEqual([])
      console.log(`status screenshot: ${await screenshot(page, 'status')}`)
      await context.close()
    }
  })

  it('should not offer the screen to a clinician, and say so at its address', async () => {
    const context = await signedInContext(browsing, stack!, clinicianToken, PHONE)
    const page = await context.newPage()
    await page.goto(`${s.base}/notes`)
    await page.getByRole('link', { name: 'Notes' }).waitFor()
    await page.getByRole('heading', { level: 1 }).first().waitFor()
    expect(await page.getByRole('link', { name: 'Status' }).count()).toBe(0)
    await page.goto(`${s.base}/status`)
    await page.getByText(/Admins only/).waitFor()
    expect(await audit(page)).toEqual([])
    await context.close()
  })
})
