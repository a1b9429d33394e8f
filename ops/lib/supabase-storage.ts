// The storage check of `make supabase-check`: Supabase Storage through its S3-compatible
// endpoint, with the API's own S3 adapter and settings, doing what the API does with audio (a
// put with its SHA-256, a ranged get for playback, a delete) on a probe object, and proving the
// bucket is private: the object's public URL, fetched with no credentials, must be refused.
import { createHash, randomUUID } from 'node:crypto'
import { parseConfig } from '../../api/src/config.ts'
import { createS3Client } from '../../api/src/adapters/s3-client.ts'
import { createS3FileStore } from '../../api/src/adapters/s3-file-store.ts'
import { StopError } from './errors.ts'

export type SupabaseStorage = {
  /** The project URL (https://<ref>.supabase.co); else taken from the S3 endpoint. */
  projectUrl?: string
  endpoint?: string
  bucket: string
  prefix?: string
  region: string
  accessKeyId?: string
  secretAccessKey?: string
  forcePathStyle: boolean
  timeoutMs?: number
}

const S3_PATH = '/storage/v1/s3'

/** Where Storage serves a public bucket's objects with no credentials at all. */
export function publicObjectUrl(s: SupabaseStorage, key: string): string {
  const base = (s.projectUrl ?? s.endpoint!.replace(/\/storage\/v1\/s3\/*$/, '')).replace(
    /\/+$/,
    ''
  )
  return `${base}/storage/v1/object/public/${s.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`
}

function settingsProblem(s: SupabaseStorage): StopError | undefined {
  if (!s.endpoint || !new URL(s.endpoint).pathname.replace(/\/+$/, '').endsWith(S3_PATH))
    return new StopError(
      `S3_ENDPOINT ${s.endpoint ?? '(not set)'} is not a Supabase Storage S3 endpoint`,
      `use https://<ref>.supabase.co${S3_PATH} (Project Settings → Storage → S3 Connection)`
    )
  if (!s.forcePathStyle)
    return new StopError(
      'S3_FORCE_PATH_STYLE is not true',
      'Supabase Storage takes path-style requests only: set S3_FORCE_PATH_STYLE=true'
    )
  if (!s.accessKeyId || !s.secretAccessKey)
    return new StopError(
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are not set',
      'create an access key in Project Settings → Storage → S3 Connection (server-side only)'
    )
  return undefined
}

/** The S3 error's name and message, as one readable clause. */
function s3Why(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }
  const status = e.$metadata?.httpStatusCode
  return `${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(err)}`
}

function hintFor(err: unknown): string {
  const name = (err as { name?: string }).name
  if (name === 'SignatureDoesNotMatch' || name === 'AuthorizationHeaderMalformed')
    return 'check S3_REGION (the project’s region, e.g. eu-central-1) and the secret key'
  if (name === 'InvalidAccessKeyId' || name === 'AccessDenied')
    return 'check S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY (Project Settings → Storage → S3 Connection)'
  if (name === 'NoSuchBucket')
    return 'create the bucket in Storage (private: "Public bucket" off), or fix S3_BUCKET'
  return 'check the S3_* settings and that Storage is enabled for the project'
}

/** Put, ranged get and delete of a probe object, then the public URL refused. */
export async function checkStorage(s: SupabaseStorage): Promise<string> {
  const wrong = settingsProblem(s)
  if (wrong) throw wrong
  const config = parseConfig({
    STORAGE: 's3',
    S3_ENDPOINT: s.endpoint,
    S3_BUCKET: s.bucket,
    S3_PREFIX: s.prefix ?? '',
    S3_REGION: s.region,
    S3_ACCESS_KEY_ID: s.accessKeyId,
    S3_SECRET_ACCESS_KEY: s.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
  })
  const client = createS3Client(config, { requestTimeoutMs: s.timeoutMs ?? 10_000 })
  // The probe lives under audio/.tmp/, which the API's sweep empties should this run be cut.
  const path = `.tmp/supabase-check-${randomUUID()}`
  const key = `${config.S3_PREFIX ? config.S3_PREFIX.replace(/\/*$/, '/') : ''}audio/${path}`
  const bytes = new TextEncoder().encode(`medic-scribe supabase-check ${new Date().toISOString()}`)
  try {
    const store = await createS3FileStore({ client, bucket: s.bucket, prefix: config.S3_PREFIX })
    let written = false
    try {
      const put = await store.writeAtomic('audio', path, bytes)
      written = true
      if (put.sha256 !== createHash('sha256').update(bytes).digest('hex'))
        throw new StopError('the probe’s SHA-256 changed on the way', 'report it')
      const ranged = new Uint8Array(
        await new Response(store.stream('audio', path, { start: 4, end: 11 })).arrayBuffer()
      )
      if (Buffer.compare(ranged, bytes.subarray(4, 12)) !== 0)
        throw new StopError(
          `a ranged get answered ${ranged.byteLength} bytes that are not bytes 4-11 of the probe`,
          'the endpoint ignores Range: playback seeking will not work'
        )
      const res = await fetch(publicObjectUrl(s, key), {
        signal: AbortSignal.timeout(s.timeoutMs ?? 10_000),
      })
      const body = new Uint8Array(await res.arrayBuffer())
      if (res.ok || Buffer.compare(body, bytes) === 0)
        throw new StopError(
          `the bucket ${s.bucket} is public: its objects are served to anyone (${res.status} at ${publicObjectUrl(s, key)})`,
          'turn "Public bucket" off in Storage → the bucket → Edit bucket (RUNBOOK.md#supabase)'
        )
      await store.remove('audio', path)
      written = false
      if ((await store.size('audio', path)) !== undefined)
        throw new StopError('the probe is still there after its delete', 'check the key’s rights')
      return `put (SHA-256 checked), ranged get and delete of ${key} in ${s.bucket} (path-style, ${s.region}); the public URL answered ${res.status}: the bucket is private`
    } finally {
      if (written) await store.remove('audio', path).catch(() => {})
    }
  } catch (err) {
    if (err instanceof StopError) throw err
    throw new StopError(`Storage refused the probe: ${s3Why(err)}`, hintFor(err))
  } finally {
    client.destroy()
  }
}
