import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { AppEnv } from '../../api/src/deps.ts'
import { createErrorHandler } from '../../api/src/errors.ts'
import { validate } from '../../api/src/http/validation.ts'
import { silentLogger } from '../../api/src/lib/logger.ts'
import { NoteListQuerySchema } from '../../api/src/contract/notes.ts'
import { RecordingUploadHeadersSchema } from '../../api/src/contract/recordings.ts'

// The one input validation every route uses (api/src/http/validation.ts).
function app() {
  const a = new Hono<AppEnv>()
  a.onError(createErrorHandler(silentLogger))
  a.get('/q', validate('query', NoteListQuerySchema), (c) => c.json(c.req.valid('query')))
  a.get('/h', validate('header', RecordingUploadHeadersSchema), (c) =>
    c.json(c.req.valid('header'))
  )
  a.post('/j', validate('json', z.object({ n: z.number() })), (c) => c.json(c.req.valid('json')))
  return a
}

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error

describe('validate (http/validation.ts)', () => {
  it('should hand the handler the parsed query, page limits clamped as the lists always did', async () => {
    const page = async (q: string) => (await (await app().request(`/q${q}`)).json()) as object
    expect(await page('')).toEqual({ limit: 20 })
    expect(await page('?limit=0')).toEqual({ limit: 20 })
    expect(await page('?limit=abc')).toEqual({ limit: 20 })
    expect(await page('?limit=-3')).toEqual({ limit: 1 })
    expect(await page('?limit=500&cursor=abc')).toEqual({ limit: 100, cursor: 'abc' })
    // A repeated name counts once, by its first value.
    expect(await page('?limit=5&limit=7')).toEqual({ limit: 5 })
  })

  it('should answer a bad header with 400 naming it as clients write it', async () => {
    const res = await app().request('/h', { headers: { 'idempotency-key': 'short' } })
    expect(res.status).toBe(400)
    const err = await errorOf(res)
    expect(err.code).toBe('BAD_REQUEST')
    expect(err.message).toBe('Idempotency-Key: must be 8-128 letters, digits or ._:-')
  })

  it('should read a JSON body whatever its declared content type, and refuse one that is not JSON', async () => {
    const post = (body: string, type?: string) =>
      app().request('/j', { method: 'POST', body, headers: type ? { 'content-type': type } : {} })
    expect(await (await post('{"n":1}')).json()).toEqual({ n: 1 })
    expect(await (await post('{"n":1}', 'text/plain')).json()).toEqual({ n: 1 })
    const notJson = await post('{"n":')
    expect(notJson.status).toBe(400)
    expect((await errorOf(notJson)).message).toBe('the body must be JSON')
    const wrong = await post('{"n":"one"}', 'application/json')
    expect(wrong.status).toBe(400)
    expect((await errorOf(wrong)).message).toMatch(/^n: /)
  })

  it('should refuse a JSON body over 1 MiB with 413 before reading it', async () => {
    const res = await app().request('/j', {
      method: 'POST',
      body: '{}',
      headers: { 'content-length': String(2 * 1024 * 1024) },
    })
    expect(res.status).toBe(413)
    expect((await errorOf(res)).code).toBe('PAYLOAD_TOO_LARGE')
  })
})
