import type { Hono, MiddlewareHandler } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'

/** Live events for the signed-in user, on every socket they hold, and nobody else's. */
export function registerWebSocketRoute(
  app: Hono<AppEnv>,
  deps: AppDeps,
  auth: MiddlewareHandler<AppEnv>
) {
  app.get(
    '/ws',
    auth,
    deps.upgradeWebSocket((c) => {
      const userId = c.get('principal').userId
      let unsubscribe: (() => void) | undefined
      return {
        onOpen(_evt, ws) {
          unsubscribe = deps.hub.subscribe(userId, (event) => ws.send(JSON.stringify(event)))
          ws.send(JSON.stringify({ type: 'hello', at: new Date(deps.clock.now()).toISOString() }))
        },
        onMessage(evt, ws) {
          if (evt.data === 'ping') ws.send('pong')
        },
        onClose() {
          unsubscribe?.()
        },
        onError() {
          unsubscribe?.()
        },
      }
    })
  )
}
