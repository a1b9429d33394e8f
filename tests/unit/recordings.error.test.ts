import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT, UnsecuredJWT } from 'jose'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'
import { createLocalTokens } from '../../api/src/auth/tokens.ts'

type ErrorBody = { error: { code: string; message: string; request_id?: string } }
type User = Awaited<ReturnType<Harness['addUser']>>
// Node's fetch needs `duplex` to send a ReadableStream body; the DOM typings do not list it.
type StreamingInit = RequestInit & { duplex: 'half' }

const encoder = new TextEncoder()
const BOUNDARY = '----scribe-test-7f3a9c'
const MB = 1024 * 1024

const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/** A 16 kHz mono 16-bit PCM WAV header announcing `dataBytes` of samples. */
function wavHeader(dataBytes: number): Uint8Array {
  const b = new Uint8Array(44)
  const v = new DataView(b.buffer)
  b.set(encoder.encode('RIFF'), 0)
  v.setUint32(4, 36 + dataBytes, true)
  b.set(encoder.encode('WAVEfmt '), 8)
  v.setUint32(16, 16, true)
  v.setUint16(20, 1, true)
  v.setUint16(22, 1, true)
  v.setUint32(24, 16_000, true)
  v.setUint32(28, 32_000, true)
  v.setUint16(32, 2, true)
  v.setUint16(34, 16, true)
  b.set(encoder.encode('data'), 36)
  v.setUint32(40, dataBytes, true)
  return b
}

/** A WAV of silence `totalBytes` long, header included. */
const silentWav = (totalBytes: number) =>
  concat(wavHeader(totalBytes - 44), new Uint8Array(totalBytes - 44))

const PNG = concat(
  new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  new Uint8Array([0, 0, 0, 13]),
  encoder.encode('IHDR'),
  new Uint8Array([0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89]),
  new Uint8Array(200)
)

type Part =
  | { name: string; value: string }
  | { name: string; filename: string; bytes: Uint8Array; type?: string }

const fileHead = (name: string, filename: string, type = 'audio/wav') =>
  encoder.encode(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`
  )

/** A multipart/form-data body written byte by byte, so tests control every header. */
function multipart(parts: Part[], { close = true } = {}): Uint8Array<ArrayBuffer> {
  const chunks: Uint8Array[] = []
  for (const p of parts) {
    if ('value' in p) {
      chunks.push(
        encoder.encode(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`
        )
      )
    } else {
      chunks.push(fileHead(p.name, p.filename, p.type), p.bytes, encoder.encode('\r\n'))
    }
  }
  if (close) chunks.push(encoder.encode(`--${BOUNDARY}--\r\n`))
  return concat(...chunks)
}

const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`

/** POSTs a raw body to /api/recordings, streamed the way a client sends it. */
async function postRecording(
  target: Harness,
  body: BodyInit,
  headers: Record<string, string>
): Promise<Response> {
  const init: StreamingInit = { method: 'POST', body, headers, duplex: 'half' }
  return target.request(new Request('http://scribe.test/api/recordings', init))
}

describe('recordings: refused uploads', () => {
  let h: Harness
  let doc: User
  let wav: Uint8Array

  const post = (body: BodyInit, headers: Record<string, string>) => postRecording(h, body, headers)
  const postForm = (body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) =>
    post(body, { ...doc.auth, 'content-type': MULTIPART, ...headers })

  const snapshot = async () => ({
    files: (await h.filesOnDisk()).sort(),
    rows: await h.rowCounts(),
  })

  /** Asserts the JSON error and that the refused upload left no file and no row behind. */
  async function expectRefused(
    send: () => Promise<Response>,
    status: number,
    code: string
  ): Promise<ErrorBody['error']> {
    const before = await snapshot()
    const res = await send()
    expect(res.status).toBe(status)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const body = (await res.json()) as ErrorBody
    expect(body.error.code).toBe(code)
    expect(body.error.message).toEqual(expect.any(String))
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'))
    expect(await snapshot()).toEqual(before)
    return body.error
  }

  beforeAll(async () => {
    h = await createHarness({ stt: 'none' })
    doc = await h.addUser('refused@example.org')
    wav = await consultationWav()
  })
  afterAll(() => h.close())

  it('should accept the well-formed control upload the other tests distort', async () => {
    const res = await postForm(
      multipart([
        { name: 'audio', filename: 'visit.wav', bytes: wav },
        { name: 'template', value: 'soap' },
        { name: 'patient_ref', value: 'MRN-1' },
      ])
    )
    expect(res.status).toBe(202)
  })

  describe('content', () => {
    it('should refuse PNG bytes declared as audio/wav with 415', async () => {
      const err = await expectRefused(() => h.upload(doc.token, PNG), 415, 'UNSUPPORTED_MEDIA_TYPE')
      expect(err.message).toMatch(/not audio/)
    })

    it('should refuse text bytes declared as audio/wav with 415', async () => {
      const text = encoder.encode('Patient notes: not a recording at all.\n'.repeat(200))
      await expectRefused(() => h.upload(doc.token, text), 415, 'UNSUPPORTED_MEDIA_TYPE')
    })

    it('should refuse an empty file with 400', async () => {
      const err = await expectRefused(
        () => h.upload(doc.token, new Uint8Array(0)),
        400,
        'BAD_REQUEST'
      )
      expect(err.message).toMatch(/empty/)
    })
  })

  describe('size limit', () => {
    let small: Harness
    let user: User

    beforeAll(async () => {
      small = await createHarness({ env: { MAX_UPLOAD_MB: '1' }, stt: 'none' })
      user = await small.addUser('small@example.org')
    })
    afterAll(() => small.close())

    const snap = async () => ({
      files: (await small.filesOnDisk()).sort(),
      rows: await small.rowCounts(),
    })
    const postSmall = (body: BodyInit, headers: Record<string, string> = {}) =>
      postRecording(small, body, { ...user.auth, 'content-type': MULTIPART, ...headers })

    it('should accept a WAV just under the limit', async () => {
      const res = await small.upload(user.token, silentWav(MB - 1024))
      expect(res.status).toBe(202)
    })

    it('should refuse a 2 MB WAV with 413 and keep nothing', async () => {
      const before = await snap()
      const res = await small.upload(user.token, silentWav(2 * MB))
      expect(res.status).toBe(413)
      expect(((await res.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE')
      expect(await snap()).toEqual(before)
    })

    it('should refuse an oversized upload while streaming, without reading it to the end', async () => {
      const before = await snap()
      const total = 50 * MB
      const head = concat(fileHead('audio', 'long.wav'), wavHeader(total))
      let pulled = 0
      let cancelled = false
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (pulled >= total) {
              controller.enqueue(encoder.encode(`\r\n--${BOUNDARY}--\r\n`))
              controller.close()
              return
            }
            const chunk = pulled === 0 ? head : new Uint8Array(64 * 1024)
            pulled += chunk.byteLength
            controller.enqueue(chunk)
          },
          cancel() {
            cancelled = true
          },
        },
        { highWaterMark: 0 }
      )
      const res = await postSmall(body)
      expect(res.status).toBe(413)
      expect(((await res.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE')
      const atResponse = pulled
      expect(atResponse).toBeGreaterThan(MB)
      expect(atResponse).toBeLessThan(4 * MB)
      // It stopped pulling: nothing more is read after the answer.
      await new Promise((r) => setTimeout(r, 100))
      expect(pulled).toBe(atResponse)
      expect(cancelled).toBe(true)
      expect(await snap()).toEqual(before)
    })

    it('should refuse a Content-Length far above the limit with 413 before reading the body', async () => {
      const before = await snap()
      let pulled = 0
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            const chunk = pulled === 0 ? fileHead('audio', 'x.wav') : silentWav(64 * 1024)
            pulled += chunk.byteLength
            controller.enqueue(chunk)
          },
        },
        { highWaterMark: 0 }
      )
      const res = await postSmall(body, { 'content-length': String(500 * MB) })
      expect(res.status).toBe(413)
      expect(((await res.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE')
      expect(pulled).toBe(0)
      expect(await snap()).toEqual(before)
    })
  })

  describe('multipart framing', () => {
    it('should refuse a body that ends without its closing boundary with 400', async () => {
      const body = multipart([{ name: 'audio', filename: 'visit.wav', bytes: wav }], {
        close: false,
      })
      // Drop the CRLF too: the file part simply stops mid-stream.
      const err = await expectRefused(
        () => postForm(body.subarray(0, body.byteLength - 2)),
        400,
        'BAD_REQUEST'
      )
      expect(err.message).toMatch(/incomplete/)
    })

    it('should refuse an upload whose stream breaks off with 400', async () => {
      const head = concat(fileHead('audio', 'visit.wav'), wav.subarray(0, 32 * 1024))
      let sent = false
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) return controller.error(new Error('connection reset'))
          sent = true
          controller.enqueue(head)
        },
      })
      await expectRefused(
        () => post(body, { ...doc.auth, 'content-type': MULTIPART }),
        400,
        'BAD_REQUEST'
      )
    })

    it('should refuse a form without the audio file with 400', async () => {
      const err = await expectRefused(
        () =>
          postForm(
            multipart([
              { name: 'template', value: 'soap' },
              { name: 'language', value: 'en' },
            ])
          ),
        400,
        'BAD_REQUEST'
      )
      expect(err.message).toMatch(/"audio" file is missing/)
    })

    it('should refuse two audio files with 400', async () => {
      const err = await expectRefused(
        () =>
          postForm(
            multipart([
              { name: 'audio', filename: 'a.wav', bytes: wav },
              { name: 'audio', filename: 'b.wav', bytes: wav },
            ])
          ),
        400,
        'BAD_REQUEST'
      )
      expect(err.message).toMatch(/exactly one/)
    })

    it('should refuse a file under another field name with 400', async () => {
      await expectRefused(
        () =>
          postForm(
            multipart([
              { name: 'audio', filename: 'a.wav', bytes: wav },
              { name: 'attachment', filename: 'b.wav', bytes: wav },
            ])
          ),
        400,
        'BAD_REQUEST'
      )
    })

    it.each([
      ['a parent-folder path', '../../etc/cron.d/visit.wav'],
      ['a parent-folder path with backslashes', '..\\..\\visit.wav'],
      ['a bare parent folder', '..'],
    ])('should refuse a filename with %s with 400', async (_label, filename) => {
      const err = await expectRefused(
        () => postForm(multipart([{ name: 'audio', filename, bytes: wav }])),
        400,
        'BAD_REQUEST'
      )
      expect(err.message).toMatch(/file name/)
    })

    it('should refuse a filename with a NUL byte with 400', async () => {
      const err = await expectRefused(
        () => postForm(multipart([{ name: 'audio', filename: 'visit\0.wav', bytes: wav }])),
        400,
        'BAD_REQUEST'
      )
      // A raw NUL is not even a valid header byte: the part header itself is refused.
      expect(err.message).toMatch(/malformed|file name/)
    })

    it('should refuse a percent-encoded filename* with a NUL byte or ../ with 400', async () => {
      for (const encoded of ['visit%00.wav', '%2e%2e%2fvisit.wav']) {
        const body = concat(
          encoder.encode(
            `--${BOUNDARY}\r\nContent-Disposition: form-data; name="audio"; filename*=UTF-8''${encoded}\r\nContent-Type: audio/wav\r\n\r\n`
          ),
          wav,
          encoder.encode(`\r\n--${BOUNDARY}--\r\n`)
        )
        const err = await expectRefused(() => postForm(body), 400, 'BAD_REQUEST')
        expect(err.message).toMatch(/file name/)
      }
    })

    it('should refuse a content-type that is not multipart with 415', async () => {
      await expectRefused(
        () =>
          post(JSON.stringify({ audio: 'UklGRg==' }), {
            ...doc.auth,
            'content-type': 'application/json',
          }),
        415,
        'UNSUPPORTED_MEDIA_TYPE'
      )
      await expectRefused(
        () => post(concat(wav), { ...doc.auth, 'content-type': 'audio/wav' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE'
      )
    })

    it('should refuse a multipart content-type without a boundary with 400', async () => {
      await expectRefused(
        () =>
          post(multipart([{ name: 'audio', filename: 'a.wav', bytes: wav }]), {
            ...doc.auth,
            'content-type': 'multipart/form-data',
          }),
        400,
        'BAD_REQUEST'
      )
    })
  })

  describe('fields', () => {
    const withAudio = (fields: Record<string, string>) =>
      multipart([
        { name: 'audio', filename: 'visit.wav', bytes: wav },
        ...Object.entries(fields).map(([name, value]) => ({ name, value })),
      ])

    it('should refuse a patient_ref of 10 000 characters with 400', async () => {
      const err = await expectRefused(
        () => postForm(withAudio({ patient_ref: 'P'.repeat(10_000) })),
        400,
        'BAD_REQUEST'
      )
      expect(err.message).toMatch(/patient_ref/)
    })

    it('should refuse a patient_ref over 128 characters with 400', async () => {
      const err = await expectRefused(
        () => postForm(withAudio({ patient_ref: 'P'.repeat(200) })),
        400,
        'BAD_REQUEST'
      )
      expect(err.message).toMatch(/patient_ref/)
    })

    it('should refuse a template of absurd length with 400', async () => {
      await expectRefused(
        () => postForm(withAudio({ template: 'soap'.repeat(250_000) })),
        400,
        'BAD_REQUEST'
      )
    })

    it('should refuse an unknown template with 400', async () => {
      const err = await expectRefused(
        () => h.upload(doc.token, wav, { template: 'haiku' }),
        400,
        'BAD_REQUEST'
      )
      expect(err.message).toMatch(/template/)
    })

    it('should refuse an unknown extra field with 400', async () => {
      const err = await expectRefused(
        () => h.upload(doc.token, wav, { template: 'soap', doctor_id: '42' }),
        400,
        'BAD_REQUEST'
      )
      expect(err.message).toMatch(/doctor_id/)
    })

    it('should refuse a field sent twice with 400', async () => {
      await expectRefused(
        () =>
          postForm(
            multipart([
              { name: 'audio', filename: 'visit.wav', bytes: wav },
              { name: 'template', value: 'soap' },
              { name: 'template', value: 'follow-up' },
            ])
          ),
        400,
        'BAD_REQUEST'
      )
    })
  })

  describe('headers', () => {
    it.each([
      ['too short', 'abc'],
      ['with spaces', 'key with spaces'],
      ['300 characters long', 'k'.repeat(300)],
    ])('should refuse an Idempotency-Key %s with 400', async (_label, key) => {
      const err = await expectRefused(
        () => h.upload(doc.token, wav, {}, { 'idempotency-key': key }),
        400,
        'BAD_REQUEST'
      )
      expect(err.message).toMatch(/Idempotency-Key/)
    })

    const secret = () => h.config.JWT_SECRET!

    it('should refuse an expired token with 401', async () => {
      const old = createLocalTokens(secret(), 3600, () => Date.now() - 2 * 3600_000)
      const { token } = await old.issue({ id: doc.id, email: doc.email })
      const err = await expectRefused(() => h.upload(token, wav), 401, 'UNAUTHORIZED')
      expect(err.message).toMatch(/expired/)
    })

    it('should refuse a token signed with another secret with 401', async () => {
      const other = createLocalTokens('another-secret-another-secret-0123456', 3600, Date.now)
      const { token } = await other.issue({ id: doc.id, email: doc.email })
      await expectRefused(() => h.upload(token, wav), 401, 'UNAUTHORIZED')
    })

    it('should refuse an unsigned (alg none) token with 401', async () => {
      const token = new UnsecuredJWT({ email: doc.email })
        .setSubject(doc.id)
        .setIssuer('medic-scribe')
        .setAudience('medic-scribe-api')
        .setIssuedAt()
        .setExpirationTime('1h')
        .encode()
      await expectRefused(() => h.upload(token, wav), 401, 'UNAUTHORIZED')
    })

    it('should refuse a correctly signed token for another audience with 401', async () => {
      const token = await new SignJWT({ email: doc.email })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(doc.id)
        .setIssuer('medic-scribe')
        .setAudience('some-other-api')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(encoder.encode(secret()))
      await expectRefused(() => h.upload(token, wav), 401, 'UNAUTHORIZED')
    })

    it('should refuse an upload without a token with 401', async () => {
      await expectRefused(
        () =>
          post(multipart([{ name: 'audio', filename: 'visit.wav', bytes: wav }]), {
            'content-type': MULTIPART,
          }),
        401,
        'UNAUTHORIZED'
      )
    })
  })
})
