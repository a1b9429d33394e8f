// The object-storage FileStore against a real S3 server (SeaweedFS on 127.0.0.1, with keys):
// the same promises as the disk store, seen from the bucket.
import { createHash } from 'node:crypto'
import {
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3'
import type { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChecksumMismatchError, createS3FileStore } from '../../api/src/adapters/s3-file-store.ts'
import type { S3FileStore } from '../../api/src/adapters/s3-file-store.ts'
import { FileTooLargeError } from '../../api/src/files/file-store.ts'
import { sha256Checksums, startS3Server } from '../support/s3-server.ts'
import type { StartedS3 } from '../support/s3-server.ts'

const MiB = 1024 * 1024
const PART = 5 * MiB // S3's smallest part size

/** Deterministic bytes, different in every block, yielded in 256 KiB chunks. */
function bytes(total: number, seed = 1): Uint8Array {
  const out = new Uint8Array(total)
  let x = seed
  for (let i = 0; i < total; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}
async function* chunked(data: Uint8Array, failAt?: number) {
  for (let at = 0; at < data.byteLength; at += 256 * 1024) {
    if (failAt !== undefined && at >= failAt) throw new Error('client went away')
    yield data.subarray(at, at + 256 * 1024)
  }
}
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64')
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

describe('S3 file store (SeaweedFS)', { timeout: 60_000 }, () => {
  let s3: StartedS3
  let client: S3Client
  let store: S3FileStore
  let clock = Date.now()
  const bucket = 'scribe-files'
  const prefix = 'clinic-a/'

  async function keys(under = prefix): Promise<string[]> {
    const res = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: under }))
    return (res.Contents ?? []).map((o) => o.Key!).sort()
  }
  async function pendingUploads(): Promise<number> {
    const res = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))
    return res.Uploads?.length ?? 0
  }

  beforeAll(async () => {
    s3 = await startS3Server()
    client = s3.client()
    await s3.createBucket(bucket)
    store = await createS3FileStore({
      client,
      bucket,
      prefix,
      partSize: PART,
      now: () => clock,
    })
  }, 90_000)
  afterAll(async () => {
    client?.destroy()
    await s3?.stop()
  })

  it('should store a multipart upload whose SHA-256 the server verified, and read it back', async () => {
    const data = bytes(12 * MiB + 123)
    const temp = await store.writeTemp('audio', chunked(data), 50 * MiB)
    expect(temp).toMatchObject({ size: data.byteLength, sha256: sha256(data) })
    expect(temp.head).toEqual(data.subarray(0, 64 * 1024))
    await store.commit(temp, 'ab/rec-1.wav')

    const head = await client.send(
      new HeadObjectCommand({
        Bucket: bucket,
        Key: `${prefix}audio/ab/rec-1.wav`,
        ChecksumMode: 'ENABLED',
      })
    )
    // AWS answers a fresh SHA-256 of the whole object; SeaweedFS keeps the multipart composite.
    expect(sha256Checksums(data, PART)).toContain(head.ChecksumSHA256)
    expect(await keys()).toEqual([`${prefix}audio/ab/rec-1.wav`])
    expect(await pendingUploads()).toBe(0)

    expect(await store.size('audio', 'ab/rec-1.wav')).toBe(data.byteLength)
    expect(await store.size('audio', 'ab/missing.wav')).toBeUndefined()
    expect(sha256(await store.read('audio', 'ab/rec-1.wav'))).toBe(sha256(data))
    const ranged = await readAll(
      store.stream('audio', 'ab/rec-1.wav', { start: 6 * MiB - 10, end: 6 * MiB + 9 })
    )
    expect(ranged).toEqual(data.subarray(6 * MiB - 10, 6 * MiB + 10))
    expect(sha256(await readAll(store.stream('audio', 'ab/rec-1.wav')))).toBe(sha256(data))
  })

  it('should store a small upload in one request, and write notes atomically', async () => {
    const data = bytes(300 * 1024, 7)
    const temp = await store.writeTemp('audio', chunked(data), 50 * MiB)
    await store.commit(temp, 'cd/rec-2.wav')
    expect(sha256(await store.read('audio', 'cd/rec-2.wav'))).toBe(sha256(data))

    const note = new TextEncoder().encode('{"schema_version":"soap.v1"}')
    expect(await store.writeAtomic('notes', 'n1/v1.json', note)).toEqual({
      sha256: sha256(note),
      size: note.byteLength,
    })
    expect(new TextDecoder().decode(await store.read('notes', 'n1/v1.json'))).toBe(
      '{"schema_version":"soap.v1"}'
    )
  })

  it('should list committed files only, and quarantine and remove them', async () => {
    const temp = await store.writeTemp('audio', chunked(bytes(1000, 3)), MiB)
    const listed = (await store.list('audio')).map((f) => f.path).sort()
    expect(listed).toEqual(['ab/rec-1.wav', 'cd/rec-2.wav'])
    expect((await store.list('audio'))[0]!.modifiedAt).toBeGreaterThan(Date.now() - 60_000)

    await store.quarantine('audio', 'cd/rec-2.wav')
    expect((await store.list('audio')).map((f) => f.path)).toEqual(['ab/rec-1.wav'])
    expect(await keys(`${prefix}audio/.orphans/`)).toEqual([`${prefix}audio/.orphans/cd/rec-2.wav`])

    await store.discard(temp)
    await store.remove('audio', 'ab/rec-1.wav')
    expect(await store.size('audio', 'ab/rec-1.wav')).toBeUndefined()
    expect(await keys(`${prefix}audio/.tmp/`)).toEqual([])
  })

  it('should leave no object and no pending multipart upload when the stream fails midway', async () => {
    const before = await keys()
    await expect(
      store.writeTemp('audio', chunked(bytes(14 * MiB), 11 * MiB), 50 * MiB)
    ).rejects.toThrow('client went away')
    await expect(store.writeTemp('audio', chunked(bytes(2 * MiB), MiB), 50 * MiB)).rejects.toThrow(
      'client went away'
    )
    await expect(
      store.writeTemp('audio', chunked(bytes(12 * MiB)), 8 * MiB)
    ).rejects.toBeInstanceOf(FileTooLargeError)
    expect(await keys()).toEqual(before)
    expect(await pendingUploads()).toBe(0)
  })

  it('should be refused by the server when the SHA-256 sent does not match the bytes', async () => {
    const body = new TextEncoder().encode('the real bytes')
    await expect(
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${prefix}notes/forged.json`,
          Body: body,
          ChecksumSHA256: b64(sha256(new TextEncoder().encode('other bytes'))),
        })
      )
    ).rejects.toThrow()
    expect(await keys(`${prefix}notes/forged.json`)).toEqual([])
  })

  it('should refuse to commit an object whose stored SHA-256 is not the one hashed', async () => {
    const temp = await store.writeTemp('audio', chunked(bytes(4000, 9)), MiB)
    await expect(
      store.commit({ ...temp, sha256: sha256(new Uint8Array([1])) }, 'ef/wrong.wav')
    ).rejects.toBeInstanceOf(ChecksumMismatchError)
    expect(await store.size('audio', 'ef/wrong.wav')).toBeUndefined()
    await store.discard(temp)
  })

  it('should sweep abandoned temporary objects and uploads, never a committed object', async () => {
    const committed = await store.writeTemp('audio', chunked(bytes(2000, 11)), MiB)
    await store.commit(committed, 'gh/kept.wav')
    const orphan = await store.writeTemp('notes', chunked(bytes(2000, 12)), MiB)
    await client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: `${prefix}audio/.tmp/crashed-upload`,
        ChecksumAlgorithm: 'SHA256',
      })
    )
    // Young leftovers may belong to an upload in progress on another replica: left alone.
    expect(await store.sweepTemp(60 * 60_000)).toEqual({ removed: [], aborted: [] })

    clock += 3 * 60 * 60_000
    const swept = await store.sweepTemp(60 * 60_000)
    clock -= 3 * 60 * 60_000
    expect(swept).toEqual({
      removed: [orphan.tempPath],
      aborted: [`${prefix}audio/.tmp/crashed-upload`],
    })
    expect(await pendingUploads()).toBe(0)
    expect(await store.size('audio', 'gh/kept.wav')).toBe(2000)
  })

  it('should report the bucket writable, and refuse unsigned or wrongly signed requests', async () => {
    expect(await store.check('audio')).toEqual({
      writable: true,
      freeBytes: Number.POSITIVE_INFINITY,
    })
    const intruder = s3.client({ accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret' })
    const stranger = await createS3FileStore({ client: intruder, bucket, prefix })
    await expect(stranger.read('audio', 'gh/kept.wav')).rejects.toThrow()
    await expect(stranger.check('audio')).rejects.toThrow()
    intruder.destroy()
  })

  it('should refuse paths that leave the area', async () => {
    await expect(store.read('audio', '../notes/n1/v1.json')).rejects.toThrow(/escapes/)
    await expect(store.size('audio', '/abs')).rejects.toThrow(/escapes/)
  })
})
