// The authenticated API probe: every route of the app's own route table, called with no token,
// forged and expired tokens, another user's token on the first user's ids, path traversal in
// ids, and oversized and malformed bodies. Admin-only routes (the contract's `access: 'admin'`)
// must answer 403 to the two non-admin users, and not 403 to an admin when one is given (so the
// 403 comes from the role check, not from a route that refuses everyone). It never sends a valid
// body with a valid token, so it changes nothing. Transport-agnostic: the caller passes `request` (through the edge for
// `make scan`, or straight at a test-only app).
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import type { Finding, Severity } from './findings.ts'

export type ProbeRoute = { method: string; path: string; access?: 'admin' }
/** status 0: the connection was closed before an answer (an edge refusing a huge body). */
export type HttpAnswer = { status: number; type?: string; body: string }
export type Requester = (
  method: string,
  path: string,
  init?: { headers?: Record<string, string>; body?: Uint8Array | string }
) => Promise<HttpAnswer>

/** Routes that answer without a token by design, and why. */
export const PUBLIC_ROUTES: { method: string; path: string; reason: string }[] = [
  { method: 'GET', path: '/health/live', reason: 'liveness for the container healthcheck' },
  { method: 'GET', path: '/health/ready', reason: 'readiness; the edge does not expose it' },
  { method: 'GET', path: '/health', reason: 'status page; the edge does not expose it' },
  { method: 'GET', path: '/metrics', reason: 'Prometheus; the edge does not expose it' },
  { method: 'POST', path: '/api/auth/login', reason: 'signing in is how a token is had' },
  {
    method: 'GET',
    path: '/api/config',
    reason: 'which sign-in the PWA shows, before anyone signs in (public values only)',
  },
]

/** The path segment before an `:id` names whose ids fill it (`/api/notes/:id` → notes). */
const resourceOf = (segments: string[], i: number): string | undefined =>
  i > 0 ? segments[i - 1] : undefined

export type ProbeInput = {
  routes: ProbeRoute[]
  request: Requester
  /** The first user: a token, and the ids of what they own, by resource (`notes`, `recordings`). */
  owner: { token: string; ids: Record<string, string[]> }
  /** Another user of the same server. Both `owner` and `other` are clinicians, not admins. */
  other: { token: string }
  /** An admin, to check that admin-only routes do serve an admin; else that case is skipped. */
  admin?: { token: string } | undefined
  /** The server's signing key, to make a correctly signed but expired token; else skipped. */
  jwtSecret?: string | undefined
  /** A body this size must be refused (the edge's and the API's limit plus a little). */
  oversizedBytes: number
}

/** What the probe calls, and where: the input plus the base URL the report names. */
export type ProbeTarget = ProbeInput & { base: string }

export type ProbeCall = {
  route: string
  case: string
  status: number
  expected: string
  ok: boolean
}
export type ProbeResult = { calls: ProbeCall[]; findings: Finding[]; notes: string[] }

const b64url = (v: string | Buffer): string => Buffer.from(v).toString('base64url')

/** An HS256 JWT signed with `secret` (or unsigned, alg none, when secret is null). */
export function signJwt(payload: Record<string, unknown>, secret: string | null): string {
  const header = b64url(JSON.stringify({ alg: secret === null ? 'none' : 'HS256', typ: 'JWT' }))
  const body = b64url(JSON.stringify(payload))
  if (secret === null) return `${header}.${body}.`
  return `${header}.${body}.${createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url')}`
}

/** The claims of a JWT, unverified (to copy the owner's subject into forged tokens). */
export function jwtClaims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
  } catch {
    return {}
  }
}

type Expect =
  'unauthorized' | 'forbidden' | 'admin-served' | 'not-found' | 'refused' | 'served' | 'no-api-data'

const verdict = (
  expect: Expect,
  status: number,
  type = ''
): { ok: boolean; id?: string; severity?: Severity } => {
  const ok2xx = status >= 200 && status < 400
  // Past the role check: a 400 (no metric named) or a 503 (the monitor is not running) is the
  // route itself answering the admin.
  if (expect === 'admin-served')
    return status !== 401 && status !== 403 && (status < 500 || status === 503)
      ? { ok: true }
      : { ok: false, id: 'probe.admin-refused', severity: 'medium' }
  if (status >= 500) return { ok: false, id: 'probe.server-error', severity: 'high' }
  switch (expect) {
    case 'unauthorized':
      if (status === 401) return { ok: true }
      if (ok2xx) return { ok: false, id: 'probe.auth-missing', severity: 'critical' }
      return { ok: false, id: 'probe.unexpected-status', severity: 'low' }
    case 'forbidden':
      if (status === 403) return { ok: true }
      if (ok2xx) return { ok: false, id: 'probe.role-check-missing', severity: 'critical' }
      return { ok: false, id: 'probe.unexpected-status', severity: 'low' }
    case 'not-found':
      if (status === 404) return { ok: true }
      if (ok2xx) return { ok: false, id: 'probe.cross-user-access', severity: 'critical' }
      if (status === 403) return { ok: false, id: 'probe.cross-user-403', severity: 'medium' }
      return { ok: false, id: 'probe.unexpected-status', severity: 'low' }
    case 'refused':
      if ((status >= 400 && status < 500) || status === 0) return { ok: true }
      return { ok: false, id: 'probe.bad-input-accepted', severity: 'high' }
    case 'served':
      return { ok: ok2xx }
    case 'no-api-data':
      // The edge may resolve the dots itself and land outside /api: the web app's page is fine.
      if ((status >= 400 && status < 500) || (ok2xx && type.startsWith('text/html')))
        return { ok: true }
      return { ok: false, id: 'probe.path-traversal', severity: 'high' }
  }
}

const EXPECTED: Record<Expect, string> = {
  unauthorized: '401',
  forbidden: '403',
  'admin-served': 'not 401/403 (503 when the monitor is off)',
  'not-found': '404',
  refused: '4xx',
  served: '2xx',
  'no-api-data': "4xx (or the web app's page)",
}

const TRAVERSALS = ['..%2f..%2f..%2fetc%2fpasswd', '%2e%2e%2f%2e%2e%2fapp%2fnode.js', '..;%2f..']

/** Fills a route's params: ids of the owner where the resource is known, else `fallback`. */
function fill(path: string, ids: Record<string, string[]>, pick: (all: string[]) => string) {
  const segments = path.split('/')
  let resource: string | undefined
  const filled = segments.map((s, i) => {
    if (!s.startsWith(':')) return s
    const r = resourceOf(segments, i)
    const own = r ? ids[r] : undefined
    if (own?.length && !resource) {
      resource = r
      return pick(own)
    }
    return s === ':version' ? '1' : randomUUID()
  })
  return { path: filled.join('/'), resource }
}

/** Runs every case against every route; the calls made and the findings. */
export async function probeApi(input: ProbeInput): Promise<ProbeResult> {
  const calls: ProbeCall[] = []
  const findings: Finding[] = []
  const notes: string[] = []
  const claims = jwtClaims(input.owner.token)
  const now = Math.floor(Date.now() / 1000)
  const tokens: [string, string][] = [
    ['forged token', signJwt({ ...claims, exp: now + 600 }, randomBytes(32).toString('hex'))],
    ['unsigned token (alg none)', signJwt({ ...claims, exp: now + 600 }, null)],
  ]
  if (input.jwtSecret)
    tokens.push([
      'expired token',
      signJwt({ ...claims, iat: now - 7200, exp: now - 3600 }, input.jwtSecret),
    ])
  else notes.push('expired token: not tried, the signing key was not given')
  const allOwnerIds = Object.values(input.owner.ids).flat()
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` })

  const call = async (
    route: ProbeRoute,
    what: string,
    expect: Expect,
    path: string,
    init: { headers?: Record<string, string>; body?: Uint8Array | string } = {}
  ): Promise<HttpAnswer> => {
    const answer = await input.request(route.method, path, init)
    const v = verdict(expect, answer.status, answer.type)
    const label = `${route.method} ${route.path}`
    calls.push({
      route: label,
      case: what,
      status: answer.status,
      expected: EXPECTED[expect],
      ok: v.ok,
    })
    if (!v.ok && v.id)
      findings.push({
        id: v.id,
        target: label,
        source: 'probe',
        severity: v.severity ?? 'medium',
        title: `${what}: answered ${answer.status || 'no answer'}, expected ${EXPECTED[expect]} (${path})`,
        fix: route.access
          ? "check the route sits behind requireAdmin (the contract marks it access: 'admin')"
          : 'check the route sits behind requireAuth and looks rows up by the caller (ownedById)',
      })
    return answer
  }

  for (const route of input.routes) {
    const isPublic = PUBLIC_ROUTES.some((p) => p.method === route.method && p.path === route.path)
    const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method)
    const own = fill(route.path, input.owner.ids, (all) => all[0]!)
    if (isPublic) {
      const a = await input.request(route.method, own.path)
      calls.push({
        route: `${route.method} ${route.path}`,
        case: 'no token (public)',
        status: a.status,
        expected: 'any',
        ok: a.status < 500,
      })
    } else {
      await call(route, 'no token', 'unauthorized', own.path)
      for (const [what, t] of tokens)
        await call(route, what, 'unauthorized', own.path, { headers: bearer(t) })
    }
    const hasParams = route.path.includes('/:')
    if (route.access === 'admin') {
      // Not "another user's data" (404): the whole route is refused to a non-admin.
      for (const [who, t] of [
        ['owner', input.owner.token],
        ['another user', input.other.token],
      ] as const)
        await call(route, `non-admin token (${who})`, 'forbidden', own.path, { headers: bearer(t) })
      if (input.admin)
        await call(route, 'admin token', 'admin-served', own.path, {
          headers: bearer(input.admin.token),
        })
      else notes.push(`${route.method} ${route.path}: no admin account given, admin case skipped`)
      continue
    }
    if (!isPublic && hasParams) {
      if (route.method === 'GET')
        await call(route, "owner's own id", 'served', own.path, {
          headers: bearer(input.owner.token),
        })
      const ids = own.resource ? input.owner.ids[own.resource]! : [undefined]
      for (const id of ids) {
        const p = id ? fill(route.path, input.owner.ids, () => id).path : own.path
        await call(route, "another user's token on the owner's id", 'not-found', p, {
          headers: bearer(input.other.token),
        })
      }
      if (!own.resource)
        notes.push(
          `${route.method} ${route.path}: the owner has no id for it; a random id was tried`
        )
      for (const t of TRAVERSALS) {
        const p = route.path.replace(/:[^/]+/, t).replace(/:[^/]+/g, '1')
        await call(route, `path traversal ${t}`, 'no-api-data', p, {
          headers: bearer(input.owner.token),
        })
      }
    }
    if (!isPublic && !hasParams && route.method === 'GET') {
      const a = await input.request('GET', route.path, { headers: bearer(input.other.token) })
      const leaked = allOwnerIds.filter((id) => a.body.includes(id))
      const ok = a.status < 500 && leaked.length === 0
      calls.push({
        route: `GET ${route.path}`,
        case: "another user's list",
        status: a.status,
        expected: "none of the owner's ids",
        ok,
      })
      if (leaked.length)
        findings.push({
          id: 'probe.cross-user-list',
          target: `GET ${route.path}`,
          source: 'probe',
          severity: 'critical',
          title: `another user's answer lists the owner's ids: ${leaked.join(', ')}`,
          fix: 'filter the query by the caller',
        })
    }
    if (hasBody) {
      const h = isPublic ? {} : bearer(input.owner.token)
      await call(route, 'malformed JSON', 'refused', own.path, {
        headers: { ...h, 'content-type': 'application/json' },
        body: '{"broken": ',
      })
      await call(route, 'truncated multipart', 'refused', own.path, {
        headers: { ...h, 'content-type': 'multipart/form-data; boundary=probe' },
        body: '--probe\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\nRIFF',
      })
      await call(
        route,
        `oversized body (${Math.round(input.oversizedBytes / 1e6)} MB)`,
        'refused',
        own.path,
        {
          headers: { ...h, 'content-type': 'application/json' },
          body: new Uint8Array(input.oversizedBytes).fill(0x20),
        }
      )
    }
  }
  return { calls, findings, notes }
}
