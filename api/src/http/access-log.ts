import type { MiddlewareHandler } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'

/** One JSON line per request, with its id; paths only, since query strings may carry tokens. */
export const accessLog = ({
  logger,
  metrics,
  clock,
}: Pick<AppDeps, 'logger' | 'metrics' | 'clock'>): MiddlewareHandler<AppEnv> =>
  async function accessLog(c, next) {
    const started = clock.now()
    await next()
    const seconds = (clock.now() - started) / 1000
    const route = c.req.routePath || 'unmatched'
    metrics.observeRequest(c.req.method, route, c.res.status, seconds)
    if (c.req.path.startsWith('/health') || c.req.path === '/metrics') return
    logger.info('request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(seconds * 1000),
      user_id: c.get('principal')?.userId,
    })
  }
