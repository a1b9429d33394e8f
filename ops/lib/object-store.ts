// The bucket of an installation with STORAGE=s3, as make backup and make restore see it: the
// objects under `<prefix>audio/` and `<prefix>notes/` named like the disk volumes' files
// (`audio/<xx>/<id>.wav`), a local mirror of them kept up to date by listing (ETag, size), and
// the way back: each file put with its SHA-256, which the server verifies before it stores it.
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3'
import { fs, path } from 'zx'
import type { OpsEnv } from './env.ts'
import { StopError } from './errors.ts'
import type { ManifestFile } from './manifest.ts'

export type Bucket = { client: S3Client; name: string; prefix: string; endpoint: string }

/** What the mirror knows of each object it holds: the listing's ETag and size, and its SHA-256. */
export type MirrorIndex = Record<string, { etag: string; size: number; sha256: string }>

export type Listed = { size: number; etag: string }

const AREAS = ['audio', 'notes'] as const

/** The installation's bucket, or undefined with STORAGE=disk. */
export function openBucket(env: OpsEnv): Bucket | undefined {
  if (env.STORAGE !== 's3') return undefined
  if (!env.S3_BUCKET)
    throw new StopError('STORAGE=s3 but no S3_BUCKET', `set S3_BUCKET in ${env.envFile}`)
  const endpoint = env.S3_BACKUP_ENDPOINT ?? env.S3_ENDPOINT
  const client = new S3Client({
    region: env.S3_REGION,
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    ...(env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: env.S3_ACCESS_KEY_ID,
            secretAccessKey: env.S3_SECRET_ACCESS_KEY,
          },
        }
      : {}),
    // As the API: SHA-256 only where asked for; several S3-compatible servers refuse CRC32.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 4,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 300_000 },
  })
  const prefix = env.S3_PREFIX ? env.S3_PREFIX.replace(/\/*$/, '/') : ''
  return { client, name: env.S3_BUCKET, prefix, endpoint: endpoint ?? 'AWS S3' }
}

export const describeBucket = (b: Bucket): string => `s3://${b.name}/${b.prefix} (${b.endpoint})`

/**
 * Every object of the two areas but in-flight uploads (`.tmp/`), by its backup path
 * (`audio/…`, `notes/…`, quarantined ones under `audio/.orphans/…`), with its size and ETag.
 */
export async function listObjects(b: Bucket): Promise<Map<string, Listed>> {
  const out = new Map<string, Listed>()
  for (const area of AREAS) {
    const root = `${b.prefix}${area}/`
    for await (const page of paginateListObjectsV2(
      { client: b.client },
      { Bucket: b.name, Prefix: root }
    )) {
      for (const o of page.Contents ?? []) {
        const rel = o.Key?.slice(root.length)
        if (!rel || rel.startsWith('.tmp/') || rel.endsWith('/')) continue
        out.set(`${area}/${rel}`, { size: o.Size ?? 0, etag: o.ETag ?? '' })
      }
    }
  }
  return out
}

const keyOf = (b: Bucket, rel: string) => `${b.prefix}${rel}`

/** Streams an object into `file` (via a temporary name), returning its SHA-256. */
async function download(b: Bucket, rel: string, file: string): Promise<string> {
  await fs.mkdirp(path.dirname(file))
  const res = await b.client.send(new GetObjectCommand({ Bucket: b.name, Key: keyOf(b, rel) }))
  const hash = createHash('sha256')
  // Hashed on the way through, in the one pipeline: no byte flows before the file takes it.
  async function* hashed(source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      hash.update(chunk)
      yield chunk
    }
  }
  await pipeline(res.Body as Readable, hashed, createWriteStream(`${file}.part`, { mode: 0o600 }))
  await fs.rename(`${file}.part`, file)
  return hash.digest('hex')
}

/** An object's SHA-256, read through without keeping it. */
async function hashObject(b: Bucket, rel: string): Promise<string> {
  const res = await b.client.send(new GetObjectCommand({ Bucket: b.name, Key: keyOf(b, rel) }))
  const hash = createHash('sha256')
  for await (const chunk of res.Body as Readable) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

const fresh = (known: MirrorIndex[string] | undefined, o: Listed) =>
  known !== undefined && known.etag === o.etag && known.size === o.size

export type Mirrored = {
  included: string[]
  missing: string[]
  downloaded: number
  reused: number
  removed: number
  index: MirrorIndex
}

/**
 * Brings `dir` (the mirror) up to date with the objects `wanted` names and every quarantined
 * object: an object whose ETag and size are those of the copy already held is not downloaded
 * again; a file the mirror holds that is no longer wanted is removed from it.
 */
export async function mirrorObjects(
  b: Bucket,
  wanted: string[],
  dir: string,
  previous: MirrorIndex
): Promise<Mirrored> {
  const listed = await listObjects(b)
  const orphans = [...listed.keys()].filter((k) => /^(audio|notes)\/\.orphans\//.test(k))
  const included: string[] = []
  const missing: string[] = []
  const index: MirrorIndex = {}
  let downloaded = 0
  let reused = 0
  for (const rel of [...new Set([...wanted, ...orphans])]) {
    const o = listed.get(rel)
    if (!o) {
      missing.push(rel)
      continue
    }
    const file = path.join(dir, rel)
    const known = previous[rel]
    if (fresh(known, o) && (await fs.stat(file).catch(() => undefined))?.size === o.size) {
      index[rel] = known!
      reused++
    } else {
      index[rel] = { etag: o.etag, size: o.size, sha256: await download(b, rel, file) }
      downloaded++
    }
    included.push(rel)
  }
  let removed = 0
  for (const rel of Object.keys(previous))
    if (!index[rel]) {
      await fs.remove(path.join(dir, rel))
      removed++
    }
  return { included, missing, downloaded, reused, removed, index }
}

/**
 * The bucket's files as a manifest lists them, for comparing with a snapshot: an object the
 * mirror index knows (same ETag and size) takes its SHA-256 from there, any other is read.
 */
export async function liveObjectFiles(b: Bucket, index: MirrorIndex): Promise<ManifestFile[]> {
  const files: ManifestFile[] = []
  for (const [rel, o] of await listObjects(b)) {
    const known = index[rel]
    const sha256 = fresh(known, o) ? known!.sha256 : await hashObject(b, rel)
    files.push({ path: rel, size: o.size, sha256 })
  }
  return files.sort((a, b) => a.path.localeCompare(b.path))
}

/**
 * Puts every file of `files` (read from `root`) that the bucket lacks or holds with other
 * bytes, each in one PutObject carrying its SHA-256: the server refuses a body that does not
 * match, so an object is put back whole and verified or not at all.
 */
export async function putObjects(
  b: Bucket,
  root: string,
  files: ManifestFile[],
  live: ManifestFile[]
): Promise<{ put: number; unchanged: number }> {
  const have = new Map(live.map((f) => [f.path, f]))
  let put = 0
  let unchanged = 0
  for (const f of files) {
    const h = have.get(f.path)
    if (h && h.size === f.size && h.sha256 === f.sha256) {
      unchanged++
      continue
    }
    await b.client.send(
      new PutObjectCommand({
        Bucket: b.name,
        Key: keyOf(b, f.path),
        Body: createReadStream(path.join(root, f.path)),
        ContentLength: f.size,
        ChecksumSHA256: Buffer.from(f.sha256, 'hex').toString('base64'),
      })
    )
    put++
  }
  return { put, unchanged }
}
