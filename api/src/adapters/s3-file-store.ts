import { createHash, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3'
import type { S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import type { Area, FileStore, TempFile } from '../files/file-store.ts'
import { FileTooLargeError } from '../files/file-store.ts'
import { createStreamHasher } from './s3-checksums.ts'
import { toStoreError } from './s3-errors.ts'

const TMP = '.tmp'
const ORPHANS = '.orphans'
/** How long a `check()` answer about writability is reused: readiness is polled every few seconds. */
const PROBE_CACHE_MS = 5_000

export type S3FileStoreOptions = {
  client: S3Client
  bucket: string
  /** Prepended to every key (`clinic-a/`), so one bucket can hold several installations. */
  prefix?: string
  /** Multipart part size: memory held per upload is about partSize × queueSize. */
  partSize?: number
  queueSize?: number
  /** Temporary objects and pending multipart uploads older than this are crash leftovers. */
  staleTmpMs?: number
  now?: () => number
}

export type S3FileStore = FileStore & {
  /** Removes temporary objects and aborts multipart uploads older than `olderThanMs`. */
  sweepTemp(olderThanMs: number): Promise<{ removed: string[]; aborted: string[] }>
}

export class ChecksumMismatchError extends Error {}

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64')

const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } }
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404
}

/**
 * Audio and notes as objects in an S3-compatible bucket (AWS S3, Supabase Storage, SeaweedFS,
 * Garage, MinIO), with the disk store's promise: an upload is acknowledged only once the server
 * has verified the object's SHA-256. writeTemp streams to `<prefix><area>/.tmp/<uuid>` by
 * multipart upload (every part sent with its SHA-256, which the server checks); commit copies it
 * server-side to the final key asking for a SHA-256 of the whole object, compares that with the
 * hash computed while streaming, then deletes the temporary object.
 */
export async function createS3FileStore(o: S3FileStoreOptions): Promise<S3FileStore> {
  const { client, bucket } = o
  const prefix = o.prefix ? o.prefix.replace(/\/*$/, '/') : ''
  const partSize = o.partSize ?? 8 * 1024 * 1024
  const now = o.now ?? Date.now
  const root = (area: Area) => `${prefix}${area}/`
  const key = (area: Area, path: string) => {
    if (path.split('/').some((s) => s === '..' || s === '.' || s === '') || path.startsWith('/'))
      throw new Error(`path escapes the ${area} folder: ${path}`)
    return root(area) + path
  }
  const tmpRoot = (area: Area) => `${root(area)}${TMP}/`

  // The multipart checksum of each temporary object this process wrote ("<base64>-<parts>"):
  // a server that keeps it through the copy (SeaweedFS) reports that instead of a fresh
  // SHA-256 of the whole object (AWS), and both were computed from the bytes streamed here.
  const composites = new Map<string, string>()

  async function writeTemp(
    area: Area,
    chunks: AsyncIterable<Uint8Array>,
    maxBytes: number
  ): Promise<TempFile> {
    const tempPath = `${tmpRoot(area)}${randomUUID()}`
    const hasher = createStreamHasher(partSize)
    async function* counted() {
      for await (const chunk of chunks) {
        hasher.update(chunk)
        if (hasher.size > maxBytes) throw new FileTooLargeError(maxBytes)
        yield chunk
      }
    }
    const body = Readable.from(counted())
    const upload = new Upload({
      client,
      partSize,
      queueSize: o.queueSize ?? 2,
      // A failed upload aborts its multipart upload, so no parts are left behind (the default).
      leavePartsOnError: false,
      params: {
        Bucket: bucket,
        Key: tempPath,
        Body: body,
        ChecksumAlgorithm: 'SHA256',
      },
    })
    let sent: { ChecksumSHA256?: string }
    try {
      sent = await upload.done()
    } catch (err) {
      // The upload stops reading when it fails: end the source too, or the client's request
      // body is never drained and its response never sent.
      body.destroy()
      // A small body goes as one PutObject, which has nothing to abort: make sure it is gone.
      await deleteKey(tempPath).catch(() => {})
      throw err
    }
    const digest = hasher.digest()
    // The server answers with the checksum it verified: of the whole object for a single
    // PutObject, of the parts' checksums ("…-N") for a multipart upload.
    // (One part may go either way, depending on whether the stream's end was seen in time.)
    const expected = [digest.composite, ...(digest.parts === 1 ? [b64(digest.sha256)] : [])]
    if (sent.ChecksumSHA256 && !expected.includes(sent.ChecksumSHA256)) {
      await deleteKey(tempPath).catch(() => {})
      throw new ChecksumMismatchError(
        `object store stored ${sent.ChecksumSHA256}, the stream hashed to ${expected.join(' or ')}`
      )
    }
    if (digest.parts > 1) composites.set(tempPath, digest.composite)
    return { area, tempPath, size: hasher.size, sha256: digest.sha256, head: hasher.head() }
  }

  async function deleteKey(k: string) {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: k }))
  }

  /**
   * Server-side copy asking the server for the SHA-256 of the whole object; the answer (or, if
   * the copy response has none, the HEAD's) must be the hash taken while streaming. A server
   * that reports no SHA-256 at all cannot keep the promise, so the upload is refused.
   */
  async function copyVerified(from: string, to: string, sha256Hex: string) {
    const res = await client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: to,
        CopySource: `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
        ChecksumAlgorithm: 'SHA256',
      })
    )
    const stored =
      res.CopyObjectResult?.ChecksumSHA256 ??
      (
        await client.send(
          new HeadObjectCommand({ Bucket: bucket, Key: to, ChecksumMode: 'ENABLED' })
        )
      ).ChecksumSHA256
    const expected = [b64(sha256Hex), composites.get(from)].filter(Boolean)
    if (!stored || !expected.includes(stored)) {
      await deleteKey(to).catch(() => {})
      throw new ChecksumMismatchError(
        `object ${to}: the server reports SHA-256 ${stored ?? '(none)'}, expected ${expected.join(' or ')}`
      )
    }
  }

  async function commit(temp: TempFile, path: string) {
    await copyVerified(temp.tempPath, key(temp.area, path), temp.sha256)
    await deleteKey(temp.tempPath)
    composites.delete(temp.tempPath)
  }

  const probes = new Map<Area, { at: number; writable: boolean }>()

  async function sweepTemp(olderThanMs: number) {
    const cutoff = now() - olderThanMs
    const removed: string[] = []
    const aborted: string[] = []
    for (const area of ['audio', 'notes'] as const) {
      for await (const page of paginateListObjectsV2(
        { client },
        { Bucket: bucket, Prefix: tmpRoot(area) }
      )) {
        for (const obj of page.Contents ?? []) {
          if (!obj.Key || (obj.LastModified?.getTime() ?? now()) >= cutoff) continue
          await deleteKey(obj.Key)
          removed.push(obj.Key)
        }
      }
      // An upload cut by a crash leaves a multipart upload whose parts cost storage until aborted.
      let KeyMarker: string | undefined
      let UploadIdMarker: string | undefined
      do {
        const page = await client.send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            Prefix: tmpRoot(area),
            KeyMarker,
            UploadIdMarker,
          })
        )
        for (const u of page.Uploads ?? []) {
          if (!u.Key || !u.UploadId || (u.Initiated?.getTime() ?? now()) >= cutoff) continue
          await client.send(
            new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId })
          )
          aborted.push(u.Key)
        }
        ;({ NextKeyMarker: KeyMarker, NextUploadIdMarker: UploadIdMarker } = page)
        if (!page.IsTruncated) break
      } while (KeyMarker)
    }
    return { removed, aborted }
  }

  if (o.staleTmpMs !== undefined) await sweepTemp(o.staleTmpMs)

  return unavailableAsStoreError({
    writeTemp,
    commit,
    sweepTemp,
    async discard(temp) {
      composites.delete(temp.tempPath)
      await deleteKey(temp.tempPath)
    },
    async writeAtomic(area, path, bytes) {
      // A small file goes in one PutObject carrying its SHA-256: the server refuses a mismatch,
      // and the object appears whole or not at all.
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key(area, path),
          Body: bytes,
          ContentLength: bytes.byteLength,
          ChecksumSHA256: b64(sha256),
        })
      )
      return { sha256, size: bytes.byteLength }
    },
    async read(area, path) {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(area, path) }))
      return res.Body!.transformToByteArray()
    },
    async size(area, path) {
      try {
        const res = await client.send(
          new HeadObjectCommand({ Bucket: bucket, Key: key(area, path) })
        )
        return res.ContentLength
      } catch (err) {
        if (isNotFound(err)) return undefined
        throw err
      }
    },
    stream(area, path, range) {
      // The interface hands back a stream at once; the GET (ranged for playback seeks) starts
      // when the response body is first read.
      let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (!reader) {
            const res = await client.send(
              new GetObjectCommand({
                Bucket: bucket,
                Key: key(area, path),
                ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
              })
            )
            reader = res.Body!.transformToWebStream().getReader()
          }
          const { done, value } = await reader.read()
          if (done) controller.close()
          else controller.enqueue(value)
        },
        async cancel(reason) {
          await reader?.cancel(reason)
        },
      })
    },
    async remove(area, path) {
      await deleteKey(key(area, path))
    },
    async list(area) {
      const out: { path: string; modifiedAt: number }[] = []
      for await (const page of paginateListObjectsV2(
        { client },
        { Bucket: bucket, Prefix: root(area) }
      )) {
        for (const obj of page.Contents ?? []) {
          const path = obj.Key?.slice(root(area).length)
          if (!path || path.startsWith(`${TMP}/`) || path.startsWith(`${ORPHANS}/`)) continue
          out.push({ path, modifiedAt: obj.LastModified?.getTime() ?? 0 })
        }
      }
      return out
    },
    async quarantine(area, path) {
      const from = key(area, path)
      const head = await client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: from, ChecksumMode: 'ENABLED' })
      )
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: `${root(area)}${ORPHANS}/${path}`,
          CopySource: `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
          ...(head.ChecksumSHA256 ? { ChecksumAlgorithm: 'SHA256' } : {}),
        })
      )
      await deleteKey(from)
    },
    async check(area) {
      // A HEAD of the bucket proves it is reachable with these keys; whether a write goes
      // through needs a write: a tiny probe object, put and deleted, its answer kept a few
      // seconds. Object storage has no free-space figure: Infinity (JSON null, "unknown").
      await client.send(new HeadBucketCommand({ Bucket: bucket }))
      let probe = probes.get(area)
      if (!probe || now() - probe.at > PROBE_CACHE_MS) {
        const k = `${tmpRoot(area)}probe-${randomUUID()}`
        const writable = await client
          .send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: new Uint8Array(0) }))
          .then(() => deleteKey(k))
          .then(
            () => true,
            () => false
          )
        probe = { at: now(), writable }
        probes.set(area, probe)
      }
      return { writable: probe.writable, freeBytes: Number.POSITIVE_INFINITY }
    },
  })
}

/**
 * Every method's failure that means "the store is down or busy" (no connection, a timeout, 5xx,
 * SlowDown, after the SDK's retries) becomes a StoreUnavailableError, which the API answers
 * with 503 and a Retry-After; the stream's too, for a read that fails before its first byte.
 */
function unavailableAsStoreError(store: S3FileStore): S3FileStore {
  const rethrow = (err: unknown): never => {
    throw toStoreError(err)
  }
  const wrapped = { ...store } as Record<string, unknown>
  for (const [name, fn] of Object.entries(store)) {
    if (typeof fn !== 'function' || name === 'stream') continue
    wrapped[name] = (...args: unknown[]) =>
      (fn as (...a: unknown[]) => Promise<unknown>)(...args).catch(rethrow)
  }
  const guarded = wrapped as unknown as S3FileStore
  guarded.stream = (area, path, range) => {
    const reader = store.stream(area, path, range).getReader()
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read().catch(rethrow)
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel: (reason) => reader.cancel(reason),
    })
  }
  return guarded
}
