import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../api/src/deps.ts'
import { createErrorHandler } from '../../api/src/errors.ts'
import { SECURITY_HEADERS, fastJson, requestContext } from '../../api/src/http/request-context.ts'
import { createJsonLogger } from '../../api/src/lib/logger.ts'
import type { LogLevel } from '../../api/src/lib/logger.ts'
import { createBatchedStdout } from '../../api/src/adapters/batched-stdout.ts'
import { createPromMetrics } from '../../api/src/adapters/prom-metrics.ts'
import { systemClock } from '../../api/src/lib/clock.ts'
import { createHarness } from '../support/harness.ts'

type Line = { level: string; msg: string; path?: string; status?: number; request_id?: string }

function appWith(level: LogLevel) {
  const lines: Line[] = []
  const logger = createJsonLogger(level, (l) => lines.push(JSON.parse(l) as Line))
  const metrics = createPromMetrics()
  const app = new Hono<AppEnv>()
  app.use(requestContext({ logger, metrics, clock: systemClock }))
  app.onError(createErrorHandler(logger))
  app.get('/health/live', (c) => fastJson(c, { status: 'ok' }))
  app.get('/health/ready', (c) => c.json({ status: 'unavailable' }, 503))
  app.get('/api/things/:id', (c) => c.json({ id: c.req.param('id') }))
  app.get('/boom', () => {
    throw new Error('kaboom')
  })
  return { app, lines, metrics }
}

const securityOf = (res: Response) =>
  Object.fromEntries(Object.keys(SECURITY_HEADERS).map((k) => [k, res.headers.get(k)]))

describe('request context', () => {
  it('should send the same security headers and a request id on fast and ordinary responses', async () => {
    const { app } = appWith('info')
    for (const path of ['/health/live', '/api/things/7', '/boom', '/nowhere']) {
      const res = await app.request(path)
      expect(securityOf(res), path).toEqual(SECURITY_HEADERS)
      expect(res.headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/)
    }
    const fast = await app.request('/health/live')
    expect(fast.headers.get('content-type')).toBe('application/json')
    expect(await fast.json()).toEqual({ status: 'ok' })
  })

  it('should keep a plain request id from the caller and replace a hostile one', async () => {
    const { app } = appWith('info')
    const kept = await app.request('/api/things/1', { headers: { 'x-request-id': 'abc-123=' } })
    expect(kept.headers.get('x-request-id')).toBe('abc-123=')
    const fastKept = await app.request('/health/live', { headers: { 'x-request-id': 'probe-1' } })
    expect(fastKept.headers.get('x-request-id')).toBe('probe-1')
    const replaced = await app.request('/api/things/1', {
      headers: { 'x-request-id': 'a b<script>' },
    })
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    const body = (await (await app.request('/boom')).json()) as { error: { request_id: string } }
    expect(body.error.request_id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('should log probes at debug only, other requests at info, and every 5xx as an error', async () => {
    const info = appWith('info')
    await info.app.request('/health/live')
    await info.app.request('/api/things/2')
    await info.app.request('/health/ready')
    await info.app.request('/boom')
    const requests = info.lines.filter((l) => l.msg === 'request')
    expect(requests.map((l) => [l.path, l.level, l.status])).toEqual([
      ['/api/things/2', 'info', 200],
      ['/health/ready', 'error', 503],
      ['/boom', 'error', 500],
    ])
    const debug = appWith('debug')
    await debug.app.request('/health/live')
    expect(debug.lines.map((l) => [l.path, l.level])).toEqual([['/health/live', 'debug']])
  })

  it('should count requests by route pattern, not by raw path', async () => {
    const { app, metrics } = appWith('info')
    for (const id of ['1', '2', '3']) await app.request(`/api/things/${id}`)
    await app.request('/nowhere')
    const { body } = await metrics.render()
    expect(body).toMatch(
      /scribe_http_request_duration_seconds_count\{method="GET",route="\/api\/things\/:id",status="200"\} 3/
    )
    expect(body).toMatch(/status="404"\} 1/)
    expect(body).not.toContain('/api/things/1')
  })

  it(
    'should carry the headers on the real app’s probe and on its other answers alike',
    { timeout: 90_000 },
    async () => {
      const h = await createHarness()
      try {
        const live = await h.request('/health/live')
        const health = await h.request('/health')
        expect(securityOf(live)).toEqual(securityOf(health))
        expect(securityOf(live)).toEqual(SECURITY_HEADERS)
      } finally {
        await h.close()
      }
    }
  )
})

describe('batched stdout', () => {
  it('should write ordinary lines once per turn and warnings at once, with what came before', async () => {
    const writes: string[] = []
    const out = createBatchedStdout({ write: (chunk: string) => writes.push(chunk) })
    out('{"a":1}', false)
    out('{"a":2}', false)
    expect(writes).toEqual([])
    await new Promise((r) => setImmediate(r))
    expect(writes).toEqual(['{"a":1}\n{"a":2}\n'])
    out('{"a":3}', false)
    out('{"level":"error"}', true)
    expect(writes.at(-1)).toBe('{"a":3}\n{"level":"error"}\n')
  })
})
