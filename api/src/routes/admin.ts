import type { Hono } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { validate } from '../http/validation.ts'
import { StatusSeriesQuerySchema } from '../contract/admin.ts'
import type { Me } from '../contract/admin.ts'
import { requireAdmin } from '../auth/require-admin.ts'
import { createMonitorClient, MonitorUnavailableError } from '../monitor/prometheus.ts'
import { buildSeries, buildStatus } from '../monitor/status.ts'
import { storesOf } from '../store/stores.ts'

/** GET /api/me for every signed-in user; the operator's Status endpoints for admins only. */
export function registerAdminRoutes(app: Hono<AppEnv>, deps: AppDeps) {
  const { users } = storesOf(deps.db)
  app.get('/api/me', async (c) => {
    const principal = c.get('principal')
    const user = await users.byId(principal.userId)
    if (!user)
      throw new ApiError({ code: 'UNAUTHORIZED', message: 'this account no longer exists' })
    return c.json({ id: user.id, email: user.email, role: user.role } satisfies Me)
  })

  const { PROMETHEUS_URL, ALERTMANAGER_URL, MONITOR_TIMEOUT_MS } = deps.config
  const client = PROMETHEUS_URL
    ? createMonitorClient({
        prometheusUrl: PROMETHEUS_URL,
        alertmanagerUrl: ALERTMANAGER_URL,
        timeoutMs: MONITOR_TIMEOUT_MS,
      })
    : undefined
  app.use('/api/admin/*', requireAdmin({ users }))

  // 503 with the reason when the monitor is off or does not answer: the screen shows it, and an
  // operator's curl sees at once that the monitor, not the API, is what is missing.
  app.get('/api/admin/status', async (c) => {
    const { status, body } = await buildStatus(client, new Date(deps.clock.now()))
    if (status === 503) deps.logger.warn('monitor unavailable', { reason: body.monitor.reason })
    return c.json(body, status, { 'cache-control': 'no-store' })
  })

  app.get('/api/admin/status/series', validate('query', StatusSeriesQuerySchema), async (c) => {
    if (!client)
      throw new ApiError({
        code: 'UNAVAILABLE',
        message: 'the monitor is not configured: start the stack with make up ARGS=--monitor',
      })
    try {
      const series = await buildSeries(client, c.req.valid('query'), new Date(deps.clock.now()))
      return c.json(series, 200, { 'cache-control': 'no-store' })
    } catch (err) {
      if (err instanceof MonitorUnavailableError)
        throw new ApiError({ code: 'UNAVAILABLE', message: err.message })
      throw err
    }
  })
}
