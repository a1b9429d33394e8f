// The admin role and the Status endpoints: real-shaped Prometheus and Alertmanager answers from
// a local server of the test's own; 401 without a token, 403 for a clinician, a revocation seen
// at once, and a clear 503 when the monitor does not answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { alertmanagerAlert, startFakeMonitor } from '../support/fake-monitor.ts'
import { TILE_QUERIES } from '../../api/src/monitor/queries.ts'
import { createUserStore } from '../../api/src/store/users.ts'
import type { AdminStatus, Me, StatusSeries } from '../../api/src/contract/admin.ts'
import type { ErrorEnvelope } from '../../api/src/contract/errors.ts'

const NOW = Date.parse('2026-12-01T07:00:00Z')
const q = (m: keyof typeof TILE_QUERIES) => TILE_QUERIES[m].expr

describe('admin status', { timeout: 60_000 }, () => {
  let monitor: Awaited<ReturnType<typeof startFakeMonitor>>
  let h: Harness
  let admin: Awaited<ReturnType<Harness['addUser']>>
  let clinician: Awaited<ReturnType<Harness['addUser']>>
  const get = (path: string, who?: { auth: Record<string, string> }) =>
    h.request(path, { headers: who?.auth ?? {} })

  beforeAll(async () => {
    monitor = await startFakeMonitor({
      series: {
        [q('site_up')]: [{ labels: {}, value: 1 }],
        [q('api_replicas_up')]: [{ labels: {}, value: 2 }],
        [q('queue_waiting')]: [{ labels: {}, value: 3 }],
        [q('queue_oldest_seconds')]: [{ labels: {}, value: 1200 }],
        [q('provider_circuit_open')]: [
          { labels: { provider: 'writer' }, value: 0 },
          { labels: { provider: 'stt' }, value: 1 },
        ],
        [q('disk_free_ratio')]: [
          { labels: { volume: 'pgdata' }, value: 0.6 },
          { labels: { volume: 'audio' }, value: 0.1 },
        ],
        [q('certificate_days_left')]: [{ labels: { instance: 'https://edge:8443' }, value: 40.5 }],
        // no backup heartbeat at all
      },
      alerts: [
        alertmanagerAlert('Watchdog', 'none', 'active'),
        alertmanagerAlert('DiskSpaceLow', 'critical', 'active', {
          startsAt: '2026-12-01T06:50:00.000Z',
        }),
        alertmanagerAlert('BackupTooOld', 'warning', 'suppressed', { silencedBy: ['s-1'] }),
        alertmanagerAlert('ApiDown', 'critical', 'suppressed', { inhibitedBy: ['f-1'] }),
      ],
    })
    h = await createHarness({
      env: { PROMETHEUS_URL: monitor.url, ALERTMANAGER_URL: monitor.url },
      clock: { now: () => NOW },
    })
    admin = await h.addUser('admin@example.org')
    clinician = await h.addUser('clinician@example.org')
    await createUserStore(h.db).setRole(admin.email, 'admin')
  })
  afterAll(async () => {
    await h?.close()
    await monitor?.close()
  })

  it('should tell each user their role', async () => {
    const me = async (who: typeof admin) => (await (await get('/api/me', who)).json()) as Me
    expect(await me(admin)).toEqual({ id: admin.id, email: admin.email, role: 'admin' })
    expect((await me(clinician)).role).toBe('clinician')
  })

  it("should show an admin every tile with its state, and Alertmanager's alerts", async () => {
    const res = await get('/api/admin/status', admin)
    expect(res.status).toBe(200)
    const body = (await res.json()) as AdminStatus
    expect(body.monitor).toEqual({ available: true, reason: null })
    const tile = (metric: string, series = '') =>
      body.tiles.find((t) => t.metric === metric && t.series === series)
    expect(tile('site_up')).toMatchObject({ value: 1, state: 'ok' })
    expect(tile('api_replicas_up')).toMatchObject({ value: 2, state: 'ok' })
    expect(tile('queue_waiting')).toMatchObject({ value: 3, state: 'ok', threshold: 20 })
    expect(tile('queue_oldest_seconds')).toMatchObject({ value: 1200, state: 'warning' })
    expect(tile('provider_circuit_open', 'stt')).toMatchObject({ state: 'warning' })
    expect(tile('provider_circuit_open', 'writer')).toMatchObject({ state: 'ok' })
    expect(tile('disk_free_ratio', 'audio')).toMatchObject({
      label: 'Free disk: audio',
      value: 0.1,
      state: 'critical',
      threshold: 0.15,
    })
    expect(tile('disk_free_ratio', 'pgdata')).toMatchObject({ state: 'ok' })
    expect(tile('backup_age_seconds')).toMatchObject({ value: null, state: 'warning' })
    expect(tile('certificate_days_left', 'https://edge:8443')).toMatchObject({ state: 'ok' })
    // The Watchdog fires on purpose, always: not an alert to show.
    expect(body.alerts.map((a) => [a.name, a.state])).toEqual([
      ['BackupTooOld', 'silenced'],
      ['ApiDown', 'inhibited'],
      ['DiskSpaceLow', 'firing'],
    ])
    // Only the fixed queries ever reach Prometheus.
    const fixed = new Set(Object.values(TILE_QUERIES).map((t) => t.expr))
    expect(monitor.state.queries.every((x) => fixed.has(x))).toBe(true)
  })

  it('should give a 24-hour series per volume, ending now', async () => {
    const res = await get('/api/admin/status/series?metric=disk_free_ratio&range=24h', admin)
    expect(res.status).toBe(200)
    const s = (await res.json()) as StatusSeries
    expect(s.step_seconds).toBe(360)
    expect(s.timestamps).toHaveLength(241)
    expect(s.timestamps.at(-1)! - s.timestamps[0]!).toBe(86400)
    expect(s.timestamps.at(-1)).toBe(NOW / 1000)
    expect(s.series.map((x) => x.series)).toEqual(['audio', 'pgdata'])
    const audio = s.series[0]!.values
    expect(audio).toHaveLength(241)
    expect(audio.at(-1)).toBe(0.6) // the fake's range answer repeats its first series' value
    expect(audio[0]).toBeNull() // older than the fake's one hour of data
  })

  it('should refuse a query that is not a named tile', async () => {
    for (const path of [
      '/api/admin/status/series?metric=up',
      '/api/admin/status/series?metric=site_up&query=up',
      '/api/admin/status/series?metric=site_up&range=30d',
    ]) {
      const res = await get(path, admin)
      expect(res.status).toBe(400)
      expect(((await res.json()) as ErrorEnvelope).error.code).toBe('BAD_REQUEST')
    }
  })

  it('should answer 401 without a token and 403 in JSON to a clinician', async () => {
    for (const path of ['/api/admin/status', '/api/admin/status/series?metric=site_up']) {
      expect((await get(path)).status).toBe(401)
      const res = await get(path, clinician)
      expect(res.status).toBe(403)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      expect(((await res.json()) as ErrorEnvelope).error.code).toBe('FORBIDDEN')
    }
  })

  it('should take a revocation into account at once, with the same token', async () => {
    const users = createUserStore(h.db)
    const temp = await h.addUser('temp-admin@example.org')
    await users.setRole(temp.email, 'admin')
    expect((await get('/api/admin/status', temp)).status).toBe(200)
    await users.setRole(temp.email, 'clinician')
    expect((await get('/api/admin/status', temp)).status).toBe(403)
  })

  it('should say so, with 200, when only Alertmanager does not answer', async () => {
    monitor.state.alertsFailing = true
    try {
      const body = (await (await get('/api/admin/status', admin)).json()) as AdminStatus
      expect(body.monitor.available).toBe(true)
      expect(body.monitor.reason).toMatch(/Alertmanager answered HTTP 500: alerts are not shown/)
      expect(body.tiles.length).toBeGreaterThan(0)
    } finally {
      monitor.state.alertsFailing = false
    }
  })

  it('should answer 503 with the reason when the monitor does not answer', async () => {
    const closed = await startFakeMonitor({ series: {}, alerts: [] })
    await closed.close() // a port nobody listens on any more
    // (Without PROMETHEUS_URL at all: tests/unit/contract.test.ts, "the monitor is not configured".)
    for (const env of [{ PROMETHEUS_URL: closed.url }]) {
      const off = await createHarness({ env })
      try {
        const a = await off.addUser('admin@example.org')
        await createUserStore(off.db).setRole(a.email, 'admin')
        const res = await off.request('/api/admin/status', { headers: a.auth })
        expect(res.status).toBe(503)
        const body = (await res.json()) as AdminStatus
        expect(body.monitor.available).toBe(false)
        expect(body.monitor.reason).toMatch(/^Prometheus does not answer/)
        const series = await off.request('/api/admin/status/series?metric=site_up', {
          headers: a.auth,
        })
        expect(series.status).toBe(503)
        expect(((await series.json()) as ErrorEnvelope).error.code).toBe('UNAVAILABLE')
        expect(off.contract.violations).toEqual([])
      } finally {
        await off.close()
      }
    }
  })

  it('should answer every call in the shapes of the contract', () => {
    expect(h.contract.violations).toEqual([])
  })
})
