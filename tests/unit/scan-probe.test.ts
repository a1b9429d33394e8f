// The API probe against the real app (PGlite, scripted providers): clean as it is, and a
// test-only route that forgets its auth check is named, by the probe and by the whole scan.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { probeApi } from '../../ops/steps/scan/api-probe.ts'
import type { Requester } from '../../ops/steps/scan/api-probe.ts'
import { silentWav } from '../../ops/steps/scan/probe.ts'
import { runScan } from '../../ops/steps/scan/index.ts'
import type { ScanReport } from '../../ops/steps/scan/report.ts'
import { routeTable } from '../../ops/steps/scan/route-table.ts'
import { createHarness } from '../support/harness.ts'
import { scanOptions } from '../support/scan-options.ts'
import { createUserStore } from '../../api/src/store/users.ts'
import { requireAuth } from '../../api/src/auth/middleware.ts'
import { createErrorHandler } from '../../api/src/errors.ts'
import { silentLogger } from '../../api/src/lib/logger.ts'
import type { AppEnv } from '../../api/src/deps.ts'

describe('API probe', { timeout: 120_000 }, () => {
  let h: Awaited<ReturnType<typeof createHarness>>
  let owner: { token: string; ids: Record<string, string[]> }
  let other: { token: string }
  let admin: { token: string }

  const requester =
    (app: { request: (p: string, i: RequestInit) => Response | Promise<Response> }): Requester =>
    async (method, path, init = {}) => {
      const res = await app.request(path, {
        method,
        headers: init.headers ?? {},
        ...(init.body !== undefined ? { body: init.body as BodyInit } : {}),
      })
      return { status: res.status, body: await res.text() }
    }

  beforeAll(async () => {
    h = await createHarness({ env: { MAX_UPLOAD_MB: '1' } })
    const a = await h.addUser('owner@example.org')
    const b = await h.addUser('other@example.org')
    const up = await h.upload(a.token, silentWav(2))
    const { id } = (await up.json()) as { id: string }
    const rec = await h.settle(a.token, id)
    owner = { token: a.token, ids: { recordings: [id], notes: rec.note_id ? [rec.note_id] : [] } }
    other = { token: b.token }
    const c = await h.addUser('admin@example.org')
    await createUserStore(h.db).setRole(c.email, 'admin')
    admin = { token: c.token }
  }, 120_000)
  afterAll(() => h?.close())

  it("should find nothing on the app's own routes", async () => {
    expect(owner.ids.notes).toHaveLength(1)
    const result = await probeApi({
      routes: routeTable(h.app),
      request: requester(h.app),
      owner,
      other,
      admin,
      jwtSecret: h.config.JWT_SECRET,
      oversizedBytes: 2 * 2 ** 20,
    })
    expect(result.findings).toEqual([])
    // The admin routes: 403 to both clinicians, let in for the admin (503: no monitor here).
    const adminCalls = result.calls.filter((c) => c.route === 'GET /api/admin/status')
    expect(adminCalls.map((c) => [c.case, c.status])).toContainEqual([
      'non-admin token (owner)',
      403,
    ])
    expect(adminCalls.map((c) => [c.case, c.status])).toContainEqual(['admin token', 503])
    const cases = new Set(result.calls.map((c) => c.case))
    for (const c of ['no token', 'forged token', 'expired token', "another user's list"])
      expect(cases).toContain(c)
    const crossUser = result.calls.filter((c) => c.case.startsWith("another user's token"))
    expect(crossUser.map((c) => c.route)).toContain('PATCH /api/notes/:id')
    expect(crossUser.every((c) => c.status === 404)).toBe(true)
  })

  /** A test-only app: one route outside /api/*, without requireAuth, in front of the real app. */
  const leakyApp = () => {
    const leaky = new Hono()
    leaky.get('/v2/notes/:id', (c) => c.json({ id: c.req.param('id'), text: 'private' }))
    leaky.route('/', h.app)
    return leaky
  }

  it('should name a route that forgets its auth check', async () => {
    const leaky = leakyApp()
    const result = await probeApi({
      routes: routeTable(leaky),
      request: requester(leaky),
      owner,
      other,
      jwtSecret: h.config.JWT_SECRET,
      oversizedBytes: 2 * 2 ** 20,
    })
    const named = result.findings.filter((f) => f.target === 'GET /v2/notes/:id')
    expect(named.map((f) => f.id)).toContain('probe.auth-missing')
    expect(named.map((f) => f.id)).toContain('probe.cross-user-access')
    expect(result.findings.every((f) => f.target === 'GET /v2/notes/:id')).toBe(true)
  })

  it('should fail make scan naming a route that forgets its auth check', async () => {
    const leaky = leakyApp()
    const dir = await mkdtemp(join(tmpdir(), 'scan-probe-'))
    try {
      const o = scanOptions(dir, {
        parts: ['probe'],
        probeTarget: async () => ({
          base: 'the test-only app',
          routes: routeTable(leaky),
          request: requester(leaky),
          owner,
          other,
          jwtSecret: h.config.JWT_SECRET,
          oversizedBytes: 2 * 2 ** 20,
        }),
      })
      await expect(runScan(o)).rejects.toThrow(
        /findings not on the allowlist: .*probe\.auth-missing/
      )
      const report = JSON.parse(await readFile(join(o.outDir, 'report.json'), 'utf8')) as ScanReport
      const failing = report.findings.filter((f) => !f.allowlisted)
      expect(failing.map((f) => `${f.id} @ ${f.target}`)).toContain(
        'probe.auth-missing @ GET /v2/notes/:id'
      )
      expect(failing.every((f) => f.target === 'GET /v2/notes/:id')).toBe(true)
      expect(report.probe?.base).toBe('the test-only app')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('should name an admin route that forgets its role check, or refuses even an admin', async () => {
    // Test-only routes the contract would mark admin-only: one behind requireAuth alone (under
    // /api/*), one that refuses everyone, so its 403 is not the role check's.
    const leaky = new Hono()
    leaky.get('/api/admin/leaky', (c) => c.json({ disk: 0.5 }))
    leaky.get('/api/admin/closed', (c) => c.json({ error: { code: 'FORBIDDEN' } }, 403))
    leaky.route('/', h.app)
    const marked = [
      { method: 'GET', path: '/api/admin/leaky', access: 'admin' as const },
      { method: 'GET', path: '/api/admin/closed', access: 'admin' as const },
    ]
    // The app's own sign-in check in front, as under /api/* (only the role check is missing).
    const guarded = new Hono<AppEnv>()
    guarded.onError(createErrorHandler(silentLogger))
    guarded.use(
      '/api/*',
      requireAuth({ tokens: h.scribe.tokens, users: createUserStore(h.db), logger: silentLogger })
    )
    guarded.route('/', leaky)
    const result = await probeApi({
      routes: marked,
      request: requester(guarded),
      owner,
      other,
      admin,
      oversizedBytes: 2 * 2 ** 20,
    })
    const ids = (target: string) =>
      result.findings.filter((f) => f.target === target).map((f) => f.id)
    expect(ids('GET /api/admin/leaky')).toEqual([
      'probe.role-check-missing',
      'probe.role-check-missing',
    ])
    expect(ids('GET /api/admin/closed')).toEqual(['probe.admin-refused'])
  })
})
