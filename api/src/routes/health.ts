import type { Hono } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'
import { createJobStore } from '../store/jobs.ts'
import { fastJson } from '../lib/request-context.ts'

export function registerHealthRoutes(app: Hono<AppEnv>, deps: AppDeps) {
  // Liveness touches nothing: a slow database must not get a healthy process restarted. The
  // version lets a deploy (and its tests) see which release the edge is serving.
  app.get('/health/live', (c) => fastJson(c, { status: 'ok', version: deps.config.APP_VERSION }))

  // Readiness checks what an upload needs, in parallel: the database answers, and both volumes
  // take a new file with room to spare. https://github.com/epicweb-dev/epic-stack (healthcheck)
  app.get('/health/ready', async (c) => {
    const minFree = deps.config.MIN_FREE_DISK_MB * 1024 * 1024
    const [database, audio, notes] = await Promise.all([
      deps.db.query('SELECT 1').then(
        () => ({ ok: true }),
        (e: unknown) => ({ ok: false, error: String(e) })
      ),
      ...(['audio', 'notes'] as const).map((area) =>
        deps.files.check(area).then(
          (s) => ({
            ok: s.writable && s.freeBytes >= minFree,
            writable: s.writable,
            free_bytes: s.freeBytes,
          }),
          (e: unknown) => ({ ok: false, error: String(e) })
        )
      ),
    ])
    const checks = { database, audio, notes }
    const failing = Object.entries(checks)
      .filter(([, v]) => !v?.ok)
      .map(([k]) => k)
    if (failing.length > 0) deps.logger.warn('not ready', { failing, checks })
    return c.json(
      { status: failing.length ? 'unavailable' : 'ok', failing, checks },
      failing.length ? 503 : 200
    )
  })

  app.get('/health', async (c) => {
    const [queue, audio] = await Promise.all([
      createJobStore(deps.db).counts(),
      deps.files.check('audio'),
    ])
    return c.json({
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
    })
  })

  app.get('/metrics', async (c) => {
    deps.metrics.setJobCounts(await createJobStore(deps.db).counts())
    const { contentType, body } = await deps.metrics.render()
    return c.body(body, 200, { 'content-type': contentType })
  })
}
