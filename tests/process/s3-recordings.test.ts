// The API's recordings flow with STORAGE=s3 on a real S3 server (SeaweedFS): a 202 means the
// audio is in the bucket with the SHA-256 the recording row holds, playback seeks by ranged
// GETs, notes land in the bucket too; keys the bucket refuses stop the start, and while the
// object store is down uploads and reads answer 503 with a Retry-After and readiness says why.
import { createHash } from 'node:crypto'
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import type { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { consultationWav } from '../support/audio.ts'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { sha256Checksums, startS3Server } from '../support/s3-server.ts'
import type { StartedS3 } from '../support/s3-server.ts'

const BUCKET = 'scribe-api'
const PREFIX = 'clinic-b/'
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** A valid 16 kHz mono WAV of `bytes` (tone + noise), big enough for a multipart upload. */
function bigWav(bytes: number): Uint8Array {
  const out = Buffer.alloc(bytes)
  out.write('RIFF', 0, 'ascii')
  out.writeUInt32LE(bytes - 8, 4)
  out.write('WAVEfmt ', 8, 'ascii')
  out.writeUInt32LE(16, 16)
  out.writeUInt16LE(1, 20)
  out.writeUInt16LE(1, 22)
  out.writeUInt32LE(16_000, 24)
  out.writeUInt32LE(32_000, 28)
  out.writeUInt16LE(2, 32)
  out.writeUInt16LE(16, 34)
  out.write('data', 36, 'ascii')
  out.writeUInt32LE(bytes - 44, 40)
  let x = 7
  for (let i = 44; i + 1 < bytes; i += 2) {
    x = (x * 1103515245 + 12345) >>> 0
    out.writeInt16LE(Math.round(3000 * Math.sin(i / 11)) + (x >>> 28), i)
  }
  return new Uint8Array(out)
}

describe('recordings on object storage (SeaweedFS)', { timeout: 90_000 }, () => {
  let s3: StartedS3
  let client: S3Client
  let h: Harness

  const keys = async (under: string) =>
    (
      (await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: under }))).Contents ??
      []
    ).map((o) => o.Key!)

  beforeAll(async () => {
    s3 = await startS3Server()
    client = s3.client()
    await s3.createBucket(BUCKET)
    h = await createHarness({ env: s3.env(BUCKET, PREFIX) })
  }, 90_000)
  afterAll(async () => {
    await h?.close()
    client?.destroy()
    await s3?.stop()
  })

  it('should acknowledge an upload only once the bucket holds it with the right SHA-256', async () => {
    const doc = await h.addUser('s3-doc@example.org')
    for (const audio of [await consultationWav(), bigWav(11 * 1024 * 1024)]) {
      const res = await h.upload(doc.token, audio)
      expect(res.status).toBe(202)
      const { id } = (await res.json()) as { id: string }
      const [row] = await h.db.query<{ sha256: string; audio_path: string; size_bytes: number }>(
        'SELECT sha256, audio_path, size_bytes FROM recordings WHERE id = $1',
        [id]
      )
      expect(row!.sha256).toBe(sha256(audio))
      const head = await client.send(
        new HeadObjectCommand({
          Bucket: BUCKET,
          Key: `${PREFIX}audio/${row!.audio_path}`,
          ChecksumMode: 'ENABLED',
        })
      )
      expect(sha256Checksums(audio, 8 * 1024 * 1024)).toContain(head.ChecksumSHA256)
      expect(head.ContentLength).toBe(audio.byteLength)

      const ranged = await h.request(`/api/recordings/${id}/audio`, {
        headers: { ...doc.auth, range: 'bytes=1000-1999' },
      })
      expect(ranged.status).toBe(206)
      expect(ranged.headers.get('content-range')).toBe(`bytes 1000-1999/${audio.byteLength}`)
      expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(audio.subarray(1000, 2000))

      const done = await h.settle(doc.token, id, 30_000)
      expect(done.status).toBe('done')
    }
    // No temporary objects left; the notes' JSON and Markdown are in the bucket.
    expect(await keys(`${PREFIX}audio/.tmp/`)).toEqual([])
    const notes = await keys(`${PREFIX}notes/`)
    expect(notes.filter((k) => k.endsWith('.json'))).toHaveLength(2)
    expect(notes.filter((k) => k.endsWith('.md'))).toHaveLength(2)
    expect((await h.request('/health/ready')).status).toBe(200)
  })

  it('should sweep an orphan object periodically, never a committed one', async () => {
    // Objects cannot be back-dated: the API's clock moves two hours on instead.
    let offset = 0
    const swept = await createHarness({
      env: {
        ...s3.env(BUCKET, 'sweep/'),
        ORPHAN_SWEEP_INTERVAL_SECONDS: '1',
        ORPHAN_MIN_AGE_SECONDS: '3600',
      },
      clock: { now: () => Date.now() + offset },
      concurrency: 0,
    })
    try {
      const doc = await swept.addUser('s3-sweep@example.org')
      const res = await swept.upload(doc.token, await consultationWav())
      expect(res.status).toBe(202)
      const [row] = await swept.db.query<{ audio_path: string }>(
        'SELECT audio_path FROM recordings'
      )
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'sweep/audio/ab/orphan.wav', Body: 'x' })
      )
      offset = 2 * 3600_000
      const until = Date.now() + 15_000
      while (
        !(await keys('sweep/audio/.orphans/')).includes('sweep/audio/.orphans/ab/orphan.wav')
      ) {
        if (Date.now() > until) throw new Error('the periodic sweep did not move the orphan')
        await new Promise((r) => setTimeout(r, 200))
      }
      const left = await keys('sweep/audio/')
      expect(left).toContain(`sweep/audio/${row!.audio_path}`)
      expect(left).not.toContain('sweep/audio/ab/orphan.wav')
    } finally {
      await swept.close()
    }
  })

  it('should not start with keys the bucket refuses', async () => {
    await expect(
      createHarness({
        env: { ...s3.env(BUCKET, 'refused/'), S3_SECRET_ACCESS_KEY: 'not-the-secret' },
      })
    ).rejects.toThrow()
  })

  it('should answer 503 with a Retry-After, and acknowledge nothing, when the object store is down', async () => {
    const lost = await startS3Server()
    await lost.createBucket(BUCKET)
    const down = await createHarness({ env: lost.env(BUCKET), concurrency: 0 })
    try {
      const doc = await down.addUser('s3-down@example.org')
      const before = await down.upload(doc.token, await consultationWav())
      expect(before.status).toBe(202)
      const { id } = (await before.json()) as { id: string }
      await lost.stop()

      const res = await down.upload(doc.token, await consultationWav())
      expect(res.status).toBe(503)
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(await res.json()).toMatchObject({
        error: {
          code: 'UNAVAILABLE',
          message: expect.stringMatching(/object store.*ECONNREFUSED/),
        },
      })
      expect(await down.rowCounts()).toMatchObject({ recordings: 1, jobs: 1 })

      const read = await down.request(`/api/recordings/${id}/audio`, { headers: doc.auth })
      expect(read.status).toBe(503)
      expect(read.headers.get('retry-after')).toBeTruthy()

      const ready = await down.request('/health/ready')
      expect(ready.status).toBe(503)
      const body = (await ready.json()) as {
        failing: string[]
        checks: Record<string, { error?: string }>
      }
      expect(body.failing).toEqual(['audio', 'notes'])
      expect(body.checks.audio!.error).toMatch(/object store is unavailable: unreachable/)
    } finally {
      await down.close()
      await lost.stop()
    }
  })
})
