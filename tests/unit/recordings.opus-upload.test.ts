import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'

// What the PWA uploads from Chrome/Edge (WebM) and Firefox (Ogg), end to end through the API:
// accepted by its bytes, kept with a type a browser plays, served back with ranges.
describe('Opus uploads', { timeout: 60_000 }, () => {
  let h: Harness
  let doc: Awaited<ReturnType<Harness['addUser']>>
  beforeAll(async () => {
    h = await createHarness()
    doc = await h.addUser('opus@example.org')
  })
  afterAll(() => h.close())

  for (const [file, type] of [
    ['speech-opus.webm', 'audio/webm'],
    ['speech-opus.ogg', 'audio/ogg'],
  ] as const) {
    it(`should accept ${file}, record it as ${type} and serve it with ranges`, async () => {
      const bytes = new Uint8Array(readFileSync(`tests/fixtures/audio/${file}`))
      // Declared as WAV on purpose: the type comes from the bytes, never from the client.
      const res = await h.upload(doc.token, bytes)
      expect(res.status).toBe(202)
      const { id } = (await res.json()) as { id: string }
      const [row] = await h.db.query<{ media_type: string }>(
        'SELECT media_type FROM recordings WHERE id = $1',
        [id]
      )
      expect(row?.media_type).toBe(type)
      const part = await h.request(`/api/recordings/${id}/audio`, {
        headers: { ...doc.auth, range: 'bytes=0-3' },
      })
      expect(part.status).toBe(206)
      expect(part.headers.get('content-type')).toBe(type)
      expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(0, 4))
    })
  }

  it('should refuse a WebM without an Opus track with 415 JSON', async () => {
    const video = new Uint8Array([
      ...[0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01],
      ...[0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84],
      ...new TextEncoder().encode('webm'),
      ...[0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02, 0x86, 0x85],
      ...new TextEncoder().encode('V_VP8'),
      ...new Uint8Array(512),
    ])
    const res = await h.upload(doc.token, video)
    expect(res.status).toBe(415)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'UNSUPPORTED_MEDIA_TYPE'
    )
  })
})
