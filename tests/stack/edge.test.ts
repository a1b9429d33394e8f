import { describe, expect, inject, it } from 'vitest'
import { request as httpRequest } from 'undici'
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
