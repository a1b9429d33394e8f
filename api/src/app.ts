import { Hono } from 'hono'
import type { AppDeps, AppEnv } from './deps.ts'
import { createErrorHandler, errorBody } from './errors.ts'
import { requireAuth } from './auth/middleware.ts'
import { storesOf } from './store/stores.ts'
import { registerHealthRoutes } from './routes/health.ts'
import { registerAuthRoutes } from './routes/auth.ts'
import { registerConfigRoutes } from './routes/config.ts'
import { registerRecordingRoutes } from './routes/recordings.ts'
import { registerNoteRoutes } from './routes/notes.ts'
import { registerTemplateRoutes } from './routes/templates.ts'
import { registerWebSocketRoute } from './routes/ws.ts'
import { registerCompatRoutes } from './routes/compat.ts'
import { registerAdminRoutes } from './routes/admin.ts'
import { requestContext } from './http/request-context.ts'
import { discardUnreadBody } from './http/discard-unread-body.ts'

/** The whole API as a web-standard Hono app; everything runtime-specific arrives in `deps`. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  // Request id, security headers (as hono/secure-headers), metrics and the access log, in one.
  app.use(requestContext(deps))
  app.onError(createErrorHandler(deps.logger))
  app.notFound((c) => c.json(errorBody('NOT_FOUND', 'no such route', c.get('requestId')), 404))

  registerHealthRoutes(app, deps)
  registerAuthRoutes(app, deps)
  // Public, so registered before the /api/* sign-in check.
  registerConfigRoutes(app, deps)

  const { users } = storesOf(deps.db)
  const auth = requireAuth({ tokens: deps.tokens, users, logger: deps.logger })
  // Before the sign-in check, so that its 401 to an upload reaches the client too.
  const discard = discardUnreadBody(deps)
  app.use('/api/recordings', discard)
  app.use('/transcribe-and-summarize', discard)
  app.use('/api/*', auth)
  app.use('/transcribe-and-summarize', auth)
  registerRecordingRoutes(app, deps)
  registerNoteRoutes(app, deps)
  registerTemplateRoutes(app, deps)
  registerCompatRoutes(app, deps)
  registerAdminRoutes(app, deps)
  registerWebSocketRoute(
    app,
    deps,
    requireAuth({ tokens: deps.tokens, users, logger: deps.logger, allowQueryToken: true })
  )
  return app
}
