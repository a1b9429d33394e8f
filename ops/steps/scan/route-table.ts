// The API's routes, read from the app itself (Hono's `app.routes` of createApp), so a route
// added tomorrow is probed tomorrow without anyone listing it here.
import type { Hono } from 'hono'
import { createApp } from '../../../api/src/app.ts'
import type { AppDeps } from '../../../api/src/deps.ts'
import { API_ROUTES } from '../../../api/src/contract/routes.ts'
import type { RouteContract } from '../../../api/src/contract/routes.ts'
import type { ProbeRoute } from './api-probe.ts'

/**
 * Dependencies that are never called: registering routes only captures them. Any property or
 * call gives back the same hollow function, so createApp builds without a database.
 */
function hollowDeps(): AppDeps {
  const hollow: object = new Proxy(function hollow() {}, {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => 0 : hollow),
    apply: () => hollow,
  })
  return hollow as AppDeps
}

/** Who may call a route, from the contract's route table (admin-only routes answer 403). */
const accessOf = (key: string): ProbeRoute['access'] =>
  (API_ROUTES as Record<string, RouteContract>)[key]?.access

/**
 * Method and path of every route (middleware, registered for ALL methods, left out), with the
 * access the contract gives it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function routeTable(app: Hono<any> = createApp(hollowDeps())): ProbeRoute[] {
  const seen = new Set<string>()
  const out: ProbeRoute[] = []
  for (const r of app.routes) {
    if (r.method === 'ALL') continue
    const key = `${r.method} ${r.path}`
    if (seen.has(key)) continue
    seen.add(key)
    const access = accessOf(key)
    out.push({ method: r.method, path: r.path, ...(access ? { access } : {}) })
  }
  return out
}
