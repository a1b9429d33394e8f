import type { Hono } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'
import { storesOf } from '../store/stores.ts'
import type { Health, Readiness } from '../contract/health.ts'
import { fastJson } from '../http/request-context.ts'

export function registerHealthRoutes(app: Hono<AppEnv>, deps: AppDeps) {
  // Liveness touches nothing: a slow database must not get a healthy process restarted. The
  // version lets a deploy (and its tests) see which release the edge is serving.
  app.get('/health/live', (c) => fastJson(c, { status: 'ok', version: deps.config.APP_VERSION }))

  // Readiness checks what an upload needs, in parallel: the database answers, and both volumes
  // take a new file with room to spare. https://github.com/epicweb-dev/epic-stack (healthcheck)
  app.get('/health/ready', async (c) => {
    const minFree = deps.config.MIN_FREE_DISK_MB * 1024 * 1024
    const failed = (e: unknown) => ({ ok: false as const, error: String(e) })
    const disk = (area: 'audio' | 'notes') =>
      deps.files.check(area).then(
        (s) => ({
          ok: s.writable && s.freeBytes >= minFree,
          writable: s.writable,
          free_bytes: s.freeBytes,
        }),
        failed
      )
    const [database, audio, notes] = await Promise.all([
      deps.db.query('SELECT 1').then(() => ({ ok: true as const }), failed),
      disk('audio'),
      disk('notes'),
    ])
    const checks = { database, audio, notes }
    const failing = (['database', 'audio', 'notes'] as const).filter((k) => !checks[k].ok)
    if (failing.length > 0) deps.logger.warn('not ready', { failing, checks })
    const readiness: Readiness = { status: failing.length ? 'unavailable' : 'ok', failing, checks }
    return c.json(readiness, failing.length ? 503 : 200)
  })

  app.get('/health', async (c) => {
    const [queue, audio] = await Promise.all([
      storesOf(deps.db).jobs.counts(),
      deps.files.check('audio'),
    ])
    const health: Health = {
      status: 'ok',
      version: deps.config.APP_VERSION,
      uptime_s: Math.round((deps.clock.now() - deps.startedAt) / 1000),
      database: deps.db.kind,
      providers: {
        stt: deps.providers.stt ? `${deps.providers.stt.name}:${deps.providers.stt.model}` : null,
        writer: `${deps.providers.writer.name}:${deps.providers.writer.model}`,
        circuits: {
          stt: deps.providers.circuits.stt.state,
          writer: deps.providers.circuits.writer.state,
        },
      },
      queue,
      websockets: deps.hub.connections(),
      free_disk_bytes: audio.freeBytes,
    }
    return c.json(health)
  })

  app.get('/metrics', async (c) => {
    const { jobs } = storesOf(deps.db)
    const [counts, oldest] = await Promise.all([jobs.counts(), jobs.oldestPendingSeconds()])
    deps.metrics.setJobCounts(counts)
    deps.metrics.setOldestPendingAge(oldest)
    const { contentType, body } = await deps.metrics.render()
    return c.body(body, 200, { 'content-type': contentType })
  })
}
