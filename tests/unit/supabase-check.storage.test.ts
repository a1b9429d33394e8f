// make supabase-check's storage check against msw answering as Supabase Storage does (Supabase
// cannot be reached from here): its S3 endpoint (/storage/v1/s3, path-style, SigV4 with the
// project's region, S3 XML errors) and its public-object endpoint (/storage/v1/object/public,
// which refuses a private bucket's objects with a 400 and a JSON body).
import { createHash } from 'node:crypto'
import { setupServer } from 'msw/node'
import { http, HttpResponse } from 'msw'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { checkStorage, publicObjectUrl } from '../../ops/lib/supabase-storage.ts'
import type { SupabaseStorage } from '../../ops/lib/supabase-storage.ts'

const PROJECT = 'https://abcd.supabase.co'
const S3 = `${PROJECT}/storage/v1/s3`
const BUCKET = 'scribe-audio'
const KEY_ID = '2f0e1c9a8b7d6e5f4a3b2c1d0e9f8a7b'
const REGION = 'eu-central-1'

const settings: SupabaseStorage = {
  projectUrl: PROJECT,
  endpoint: S3,
  bucket: BUCKET,
  prefix: 'clinic-a',
  region: REGION,
  accessKeyId: KEY_ID,
  secretAccessKey: 'f'.repeat(64),
  forcePathStyle: true,
  timeoutMs: 2_000,
}

const s3Error = (status: number, code: string, message: string) =>
  new HttpResponse(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><Resource>/${BUCKET}</Resource></Error>`,
    { status, headers: { 'content-type': 'application/xml' } }
  )

/** A Supabase project's Storage: one bucket, public or not, objects kept in memory. */
function supabaseStorage(o: { publicBucket: boolean }) {
  const objects = new Map<string, Uint8Array>()
  const seen: string[] = []
  // SigV4 as Storage checks it: our access key, scoped to the project's region and to s3.
  const refused = (request: Request) => {
    const auth = request.headers.get('authorization') ?? ''
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/s3\/aws4_request/.exec(auth)
    if (!scope || scope[1] !== KEY_ID) return s3Error(403, 'InvalidAccessKeyId', 'Invalid key')
    if (scope[2] !== REGION)
      return s3Error(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.'
      )
    return undefined
  }
  const keyOf = (url: string) =>
    decodeURIComponent(new URL(url).pathname.slice(`/storage/v1/s3/${BUCKET}/`.length))
  const handlers = [
    http.put(`${S3}/${BUCKET}/*`, async ({ request }) => {
      seen.push(`PUT ${keyOf(request.url)}`)
      const no = refused(request)
      if (no) return no
      const body = new Uint8Array(await request.arrayBuffer())
      const sha = createHash('sha256').update(body).digest('base64')
      const sent = request.headers.get('x-amz-checksum-sha256')
      if (sent && sent !== sha)
        return s3Error(
          400,
          'BadDigest',
          'The SHA256 you specified did not match the calculated checksum.'
        )
      objects.set(keyOf(request.url), body)
      return new HttpResponse(null, {
        status: 200,
        headers: { etag: '"e1"', ...(sent ? { 'x-amz-checksum-sha256': sha } : {}) },
      })
    }),
    http.get(`${S3}/${BUCKET}/*`, ({ request }) => {
      seen.push(`GET ${keyOf(request.url)} ${request.headers.get('range') ?? ''}`.trim())
      const no = refused(request)
      if (no) return no
      const body = objects.get(keyOf(request.url))
      if (!body) return s3Error(404, 'NoSuchKey', 'Object not found')
      const m = /^bytes=(\d+)-(\d+)$/.exec(request.headers.get('range') ?? '')
      if (!m) return new HttpResponse(body, { status: 200 })
      const [start, end] = [Number(m[1]), Math.min(Number(m[2]), body.byteLength - 1)]
      return new HttpResponse(body.subarray(start, end + 1), {
        status: 206,
        headers: { 'content-range': `bytes ${start}-${end}/${body.byteLength}` },
      })
    }),
    http.head(`${S3}/${BUCKET}/*`, ({ request }) => {
      const body = objects.get(keyOf(request.url))
      return body
        ? new HttpResponse(null, {
            status: 200,
            headers: { 'content-length': String(body.byteLength) },
          })
        : new HttpResponse(null, { status: 404 })
    }),
    http.delete(`${S3}/${BUCKET}/*`, ({ request }) => {
      seen.push(`DELETE ${keyOf(request.url)}`)
      const no = refused(request)
      if (no) return no
      objects.delete(keyOf(request.url))
      return new HttpResponse(null, { status: 204 })
    }),
    // No credentials: served only from a public bucket. A private one answers as Storage does.
    http.get(`${PROJECT}/storage/v1/object/public/${BUCKET}/*`, ({ request }) => {
      seen.push('GET public')
      const key = decodeURIComponent(
        new URL(request.url).pathname.slice(`/storage/v1/object/public/${BUCKET}/`.length)
      )
      const body = objects.get(key)
      if (o.publicBucket && body) return new HttpResponse(body, { status: 200 })
      return HttpResponse.json(
        { statusCode: '404', error: 'not_found', message: 'Object not found' },
        { status: 400 }
      )
    }),
  ]
  return { handlers, objects, seen }
}

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

describe('supabase-check: Storage through its S3 endpoint', () => {
  it('should put, read a range of, and delete a probe, and find the bucket private', async () => {
    const fake = supabaseStorage({ publicBucket: false })
    server.use(...fake.handlers)
    const note = await checkStorage(settings)
    expect(note).toMatch(/ranged get and delete of clinic-a\/audio\/\.tmp\/supabase-check-/)
    expect(note).toMatch(/public URL answered 400: the bucket is private/)
    expect(fake.seen.map((s) => s.split(' ')[0])).toEqual(['PUT', 'GET', 'GET', 'DELETE'])
    expect(fake.seen[1]).toMatch(/ bytes=4-11$/)
    expect(fake.objects.size).toBe(0)
  })

  it('should fail on a public bucket, and still delete its probe', async () => {
    const fake = supabaseStorage({ publicBucket: true })
    server.use(...fake.handlers)
    await expect(checkStorage(settings)).rejects.toMatchObject({
      message: expect.stringMatching(/the bucket scribe-audio is public/),
      hint: expect.stringMatching(/Public bucket/),
    })
    expect(fake.objects.size).toBe(0)
  })

  it('should name the region when the signature is refused', async () => {
    const fake = supabaseStorage({ publicBucket: false })
    server.use(...fake.handlers)
    await expect(checkStorage({ ...settings, region: 'us-east-1' })).rejects.toMatchObject({
      message: expect.stringMatching(/SignatureDoesNotMatch \(HTTP 403\)/),
      hint: expect.stringMatching(/S3_REGION/),
    })
  })

  it('should refuse settings Supabase cannot take before sending anything', async () => {
    const fake = supabaseStorage({ publicBucket: false })
    server.use(...fake.handlers)
    await expect(checkStorage({ ...settings, forcePathStyle: false })).rejects.toMatchObject({
      hint: expect.stringMatching(/S3_FORCE_PATH_STYLE=true/),
    })
    await expect(
      checkStorage({ ...settings, endpoint: 'https://abcd.supabase.co' })
    ).rejects.toMatchObject({ hint: expect.stringMatching(/\/storage\/v1\/s3/) })
    expect(fake.seen).toEqual([])
    expect(publicObjectUrl(settings, 'a/b c.wav')).toBe(
      `${PROJECT}/storage/v1/object/public/${BUCKET}/a/b%20c.wav`
    )
  })
})
