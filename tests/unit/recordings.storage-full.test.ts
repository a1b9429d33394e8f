import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'

type ErrorBody = { error: { code: string; message: string } }

describe('recordings: the audio volume is full', () => {
  let h: Harness
  let auth: { authorization: string }
  let token: string
  let wav: Uint8Array
  const writeTemp = () => h.files.writeTemp

  beforeAll(async () => {
    h = await createHarness({ stt: 'none' })
    ;({ token, auth } = await h.addUser('full@example.org'))
    wav = await consultationWav()
  })
  afterAll(() => h.close())

  it('should refuse the upload with 507 and a JSON error, and keep no file or row', async () => {
    const original = writeTemp()
    // The disk is full: writing the audio fails as the kernel's write would.
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
      const res = await h.upload(token, wav, {}, { 'idempotency-key': 'full-disk-0001' })
      expect(res.status).toBe(507)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      const body = (await res.json()) as ErrorBody
      expect(body.error.code).toBe('INSUFFICIENT_STORAGE')
      expect(body.error.message).toMatch(/volume is full/)
      expect(await h.filesOnDisk()).toEqual([])
      expect(await h.rowCounts()).toMatchObject({ recordings: 0, jobs: 0 })
    } finally {
      h.files.writeTemp = original
    }
    // Space is back: the same key is stored once.
    const again = await h.upload(token, wav, {}, { 'idempotency-key': 'full-disk-0001' })
    expect(again.status).toBe(202)
    expect(await h.rowCounts()).toMatchObject({ recordings: 1 })
    expect(auth.authorization).toMatch(/^Bearer /)
  })
})
