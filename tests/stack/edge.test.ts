import { describe, expect, inject, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { Agent, request as httpRequest } from 'undici'
import { connect } from './stack.ts'

const stack = inject('stack')

describe.skipIf(!stack)('edge: what the outside sees', () => {
  const s = connect(stack!)

  it('should answer /health/live through the edge over HTTPS', async () => {
    const res = await s.request('/health/live')
    expect(res.status).toBe(200)
    // The release it serves: `local` for images built by make images / the suite.
    expect(await res.json()).toEqual({ status: 'ok', version: 'local' })
  })

  it('should not expose /metrics or the health details', async () => {
    for (const path of ['/metrics', '/health', '/health/ready']) {
      expect((await s.request(path)).status, path).toBe(404)
    }
  })

  it('should redirect HTTP to HTTPS', async () => {
    const res = await httpRequest(`http://localhost:${stack!.httpPort}/api/notes?x=1`, {
      method: 'GET',
    })
    expect(res.statusCode).toBe(301)
    expect(res.headers.location).toBe(`https://localhost:${stack!.httpsPort}/api/notes?x=1`)
    await res.body.dump()
  })

  it('should send HSTS, CSP and the usual security headers', async () => {
    for (const path of ['/', '/health/live']) {
      const res = await s.request(path)
      const h = res.headers
      expect(h.get('strict-transport-security'), path).toMatch(/max-age=\d{7,}/)
      expect(h.get('content-security-policy'), path).toContain("default-src 'self'")
      expect(h.get('x-content-type-options'), path).toBe('nosniff')
      expect(h.get('x-frame-options'), path).toBe('DENY')
      expect(h.get('referrer-policy'), path).toBe('no-referrer')
      expect(h.get('server'), path).toBe('nginx')
      await res.arrayBuffer()
    }
  })

  it('should refuse an upload over the limit with 413 at the edge and leave nothing behind', async () => {
    const token = await s.login()
    const [rows, files] = [await s.countRows('recordings'), await s.countAudioFiles()]
    const tooBig = new Uint8Array(8 * 1024 * 1024)
    tooBig.set(new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt '))
    const res = await s.upload(token, tooBig)
    expect(res.status).toBe(413)
    const body = (await res.json()) as { error: { code: string } }
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(await s.countRows('recordings')).toBe(rows)
    expect(await s.countAudioFiles()).toBe(files)
  })

  // The edge's limit is exactly the API's own refusal by size (5 MiB + 64 KiB here): just over it
  // the edge answers, after reading the body. The API refusing it unread while the edge streamed
  // it ended in a broken pipe and the edge's 503. Over HTTP/1.1, where that race lived (undici's
  // HTTP/2 client reports nginx's reset of a refused stream as a failed fetch).
  const http1 = new Agent({ connect: { ca: readFileSync(stack!.caCert) }, allowH2: false })
  const post = async (path: string, headers: Record<string, string>, body: Uint8Array) => {
    const res = await httpRequest(`https://localhost:${stack!.httpsPort}${path}`, {
      method: 'POST',
      headers,
      body,
      dispatcher: http1,
    })
    return { status: res.statusCode, body: (await res.body.json()) as { error?: { code: string } } }
  }

  it('should refuse an upload just over the API limit with the JSON 413, not a 503', async () => {
    const token = await s.login()
    const boundary = 'justover'
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF\0\0\0\0WAVEfmt `
    const body = Buffer.concat([
      Buffer.from(head),
      Buffer.alloc(5 * 1024 * 1024 + 128 * 1024),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    }
    for (let i = 0; i < 3; i++) {
      const res = await post('/api/recordings', headers, body)
      expect(res.status).toBe(413)
      expect(res.body.error?.code).toBe('PAYLOAD_TOO_LARGE')
    }
  })

  it('should refuse a JSON body over 1 MiB at the edge with the JSON 413', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 0x20)
    const res = await post('/api/auth/login', { 'content-type': 'application/json' }, body)
    expect(res.status).toBe(413)
    expect(res.body.error?.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('should limit the rate of sign-in attempts', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) {
      const res = await s.request('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@example.org', password: 'wrong-password' }),
      })
      statuses.push(res.status)
      await res.arrayBuffer()
    }
    expect(statuses).toContain(401)
    expect(statuses).toContain(429)
  })
})
