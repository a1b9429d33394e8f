import type { Hono, MiddlewareHandler } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'
import type { LiveEvent } from '../contract/live.ts'

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
          const hello: LiveEvent = { type: 'hello', at: new Date(deps.clock.now()).toISOString() }
          ws.send(JSON.stringify(hello))
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
