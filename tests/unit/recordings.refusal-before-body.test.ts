// An upload refused before its body is read (the disk full after the first bytes, a token that
// has expired, a replayed key) must still get its real answer to a sender that is still sending:
// the edge streams uploads to the API (proxy_request_buffering off) and reads the answer only once
// it has sent the body. Were the API to close first, nginx would hit a broken pipe and answer its
// own 503. So the client here sends as nginx does, slowly, with pauses longer than the 500 ms
// @hono/node-server gives an unread body before it closes the connection.
import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'

/** `early`: the answer came before the whole body was sent, which nginx would never read. */
type Answer = { status: number; body: string; early: boolean }

/** A multipart upload of `size` bytes, sent in 4 pieces 600 ms apart; the answer or the error. */
function slowUpload(base: string, headers: Record<string, string>, size: number) {
  const boundary = 'slowsender'
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF\0\0\0\0WAVEfmt `
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const body = Buffer.concat([head, Buffer.alloc(size, 1), tail])
  let sent = false
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(`${base}/api/recordings`, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(body.byteLength),
      },
    })
    req.on('response', (res) => {
      const early = !sent
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, early }))
    })
    req.on('error', reject)
    const piece = Math.ceil(body.byteLength / 4)
    void (async () => {
      for (let at = 0; at < body.byteLength; at += piece) {
        if (req.destroyed) return
        // From its last byte on, the server has all of the body and may answer.
        if (at + piece >= body.byteLength) sent = true
        req.write(body.subarray(at, at + piece))
        await new Promise((r) => setTimeout(r, 600))
      }
      req.end()
    })()
  })
}

describe('recordings: an answer given before the body is read reaches a slow sender', () => {
  let h: Harness
  let base: string
  let auth: { authorization: string }

  beforeAll(async () => {
    h = await createHarness({ stt: 'none', env: { MAX_UPLOAD_MB: '5' } })
    ;({ auth } = await h.addUser('slow@example.org'))
    base = await h.listen()
  })
  afterAll(() => h.close())

  it('should answer 507 JSON after the rest of the body when the disk fills at its first bytes', async () => {
    const original = h.files.writeTemp
    h.files.writeTemp = (area, chunks, max) =>
      original(
        area,
        (async function* () {
          for await (const chunk of chunks) {
            if (chunk.byteLength > 0)
              throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
            yield chunk
          }
        })(),
        max
      )
    try {
      const a = await slowUpload(base, auth, 2_000_000)
      expect(a.status, a.body).toBe(507)
      expect(a.early, 'answered before the body was read').toBe(false)
      expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'INSUFFICIENT_STORAGE' } })
    } finally {
      h.files.writeTemp = original
    }
  })

  it('should answer 401 JSON after the rest of the body when the token is refused', async () => {
    const a = await slowUpload(base, { authorization: 'Bearer expired.or.forged' }, 2_000_000)
    expect(a.status, a.body).toBe(401)
    expect(a.early, 'answered before the body was read').toBe(false)
    expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
  })

  it('should answer the replayed 202 after the rest of the body of a retried upload', async () => {
    const key = { ...auth, 'idempotency-key': 'slow-sender-0001' }
    const first = await slowUpload(base, key, 200_000)
    expect(first.status, first.body).toBe(202)
    const again = await slowUpload(base, key, 2_000_000)
    expect(again.status, again.body).toBe(202)
    expect(again.early, 'answered before the body was read').toBe(false)
    expect(JSON.parse(again.body)).toEqual(JSON.parse(first.body))
  })
})
