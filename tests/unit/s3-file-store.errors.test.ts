// How the object store meets a provider's failures, with msw answering as S3 does (XML error
// bodies, status codes): SlowDown and 500 are retried, then (like a refused connection or a hung
// request) reported as the store being unavailable, which the API answers with 503 and a
// Retry-After; a checksum refusal fails the write at once; a bucket that refuses writes makes
// readiness say so. The behaviour
// against a real server is in tests/process/s3-file-store.test.ts.
import { setupServer } from 'msw/node'
import { delay, http, HttpResponse, passthrough } from 'msw'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { S3Client } from '@aws-sdk/client-s3'
import { parseConfig } from '../../api/src/config.ts'
import { createS3Client } from '../../api/src/adapters/s3-client.ts'
import { createS3FileStore } from '../../api/src/adapters/s3-file-store.ts'
import { DEFAULT_RETRY_AFTER_SECONDS } from '../../api/src/adapters/s3-errors.ts'
import { StoreUnavailableError } from '../../api/src/files/file-store.ts'

const ENDPOINT = 'http://s3.example.test:9000'
const raw = {
  STORAGE: 's3',
  S3_ENDPOINT: ENDPOINT,
  S3_BUCKET: 'scribe',
  S3_PREFIX: 'clinic',
  S3_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  S3_SECRET_ACCESS_KEY: 'secret',
  S3_FORCE_PATH_STYLE: 'true',
}
const config = parseConfig(raw)
const s3Error = (status: number, code: string, message: string) =>
  new HttpResponse(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>r1</RequestId></Error>`,
    { status, headers: { 'content-type': 'application/xml' } }
  )

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const note = new TextEncoder().encode('{"ok":true}')
const store = (timeouts?: { requestTimeoutMs: number }) =>
  createS3FileStore({
    client: createS3Client(config, timeouts),
    bucket: config.S3_BUCKET!,
    prefix: config.S3_PREFIX,
  })

describe('S3 file store against provider errors', () => {
  it('should send the SHA-256 with a note and retry a 503 SlowDown until it is stored', async () => {
    const seen: { url: string; checksum: string | null }[] = []
    server.use(
      http.put(`${ENDPOINT}/scribe/clinic/notes/n1.json`, ({ request }) => {
        seen.push({ url: request.url, checksum: request.headers.get('x-amz-checksum-sha256') })
        return seen.length === 1
          ? s3Error(503, 'SlowDown', 'Please reduce your request rate.')
          : new HttpResponse(null, { status: 200, headers: { etag: '"e1"' } })
      })
    )
    const result = await (await store()).writeAtomic('notes', 'n1.json', note)
    expect(seen).toHaveLength(2)
    expect(seen[0]!.checksum).toBe(Buffer.from(result.sha256, 'hex').toString('base64'))
  })

  it('should fail the write after the retries when the server keeps answering 500', async () => {
    let calls = 0
    server.use(
      http.put(`${ENDPOINT}/scribe/clinic/notes/n2.json`, () => {
        calls++
        return s3Error(500, 'InternalError', 'We encountered an internal error.')
      })
    )
    await expect((await store()).writeAtomic('notes', 'n2.json', note)).rejects.toMatchObject({
      name: 'StoreUnavailableError',
      reason: 'InternalError (HTTP 500)',
      retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
    })
    expect(calls).toBe(4)
  })

  it('should call a store that keeps answering SlowDown unavailable, with its Retry-After', async () => {
    server.use(
      http.get(`${ENDPOINT}/scribe/clinic/audio/ab/a.wav`, () => {
        const res = s3Error(503, 'SlowDown', 'Please reduce your request rate.')
        res.headers.set('retry-after', '30')
        return res
      })
    )
    // One attempt: the SDK's retries would honour the 30 s (they are tested above).
    const once = await createS3FileStore({
      client: new S3Client({
        endpoint: ENDPOINT,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        maxAttempts: 1,
      }),
      bucket: 'scribe',
      prefix: 'clinic',
    })
    const err = await once.read('audio', 'ab/a.wav').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreUnavailableError)
    expect(err).toMatchObject({ reason: 'SlowDown (HTTP 503)', retryAfterSeconds: 30 })
  })

  it('should call a store that refuses connections unreachable, in reads, streams and readiness', async () => {
    const down = await createS3FileStore({
      // Nothing listens on port 9 of this machine: the connection is refused.
      client: createS3Client(parseConfig({ ...raw, S3_ENDPOINT: 'http://127.0.0.1:9' })),
      bucket: 'scribe',
    })
    server.use(http.all('http://127.0.0.1:9/*', () => passthrough()))
    const unreachable = { name: 'StoreUnavailableError', reason: 'unreachable (ECONNREFUSED)' }
    await expect(down.size('audio', 'ab/a.wav')).rejects.toMatchObject(unreachable)
    await expect(down.check('audio')).rejects.toMatchObject(unreachable)
    await expect(down.stream('audio', 'ab/a.wav').getReader().read()).rejects.toMatchObject(
      unreachable
    )
  })

  it('should keep a refusal that is not an outage as it is (404, 403)', async () => {
    server.use(
      http.get(`${ENDPOINT}/scribe/clinic/audio/ab/gone.wav`, () =>
        s3Error(403, 'AccessDenied', 'Access Denied')
      )
    )
    await expect((await store()).read('audio', 'ab/gone.wav')).rejects.toMatchObject({
      name: 'AccessDenied',
    })
  })

  it('should fail the write when the server refuses the checksum (BadDigest), without retrying', async () => {
    let calls = 0
    server.use(
      http.put(`${ENDPOINT}/scribe/clinic/notes/n3.json`, () => {
        calls++
        return s3Error(
          400,
          'BadDigest',
          'The SHA256 you specified did not match the calculated checksum.'
        )
      })
    )
    await expect((await store()).writeAtomic('notes', 'n3.json', note)).rejects.toMatchObject({
      name: 'BadDigest',
    })
    expect(calls).toBe(1)
  })

  it('should cut a request that hangs, and fail once the retries hang too', async () => {
    let calls = 0
    server.use(
      http.put(`${ENDPOINT}/scribe/clinic/notes/n4.json`, async () => {
        calls++
        await delay('infinite')
        return new HttpResponse(null, { status: 200 })
      })
    )
    await expect(
      (await store({ requestTimeoutMs: 150 })).writeAtomic('notes', 'n4.json', note)
    ).rejects.toMatchObject({ name: 'StoreUnavailableError', reason: 'TimeoutError' })
    expect(calls).toBe(4)
  })

  it('should report a bucket that answers but refuses writes as not writable', async () => {
    server.use(
      http.head(`${ENDPOINT}/scribe`, () => new HttpResponse(null, { status: 200 })),
      http.put(`${ENDPOINT}/scribe/clinic/audio/.tmp/:probe`, () =>
        s3Error(403, 'AccessDenied', 'Access Denied')
      )
    )
    expect(await (await store()).check('audio')).toEqual({
      writable: false,
      freeBytes: Number.POSITIVE_INFINITY,
    })
  })

  it('should fail readiness when the bucket does not answer', async () => {
    server.use(http.head(`${ENDPOINT}/scribe`, () => new HttpResponse(null, { status: 404 })))
    await expect((await store()).check('notes')).rejects.toThrow()
  })
})

describe('STORAGE configuration', () => {
  it('should need a bucket with STORAGE=s3, and both keys or neither', () => {
    expect(() => parseConfig({ STORAGE: 's3' })).toThrow(/S3_BUCKET: required by STORAGE=s3/)
    expect(() =>
      parseConfig({ STORAGE: 's3', S3_BUCKET: 'scribe', S3_ACCESS_KEY_ID: 'AKID' })
    ).toThrow(/S3_SECRET_ACCESS_KEY/)
    expect(() => parseConfig({ STORAGE: 'nfs' })).toThrow(/STORAGE/)
    expect(parseConfig({})).toMatchObject({ STORAGE: 'disk', S3_FORCE_PATH_STYLE: false })
    expect(config).toMatchObject({ S3_FORCE_PATH_STYLE: true, S3_REGION: 'us-east-1' })
  })
})
