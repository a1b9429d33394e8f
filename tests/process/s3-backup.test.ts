// make backup / make restore with STORAGE=s3, on a real S3 server (SeaweedFS) and real restic:
// the API stores recordings and notes in the bucket; the backup's own steps (the repository,
// the objects mirrored by listing, the manifest, restic) run on the ops runner; objects are
// then deleted and one overwritten, and the restore's own steps (the snapshot restored and
// checked, the objects put back with their SHA-256) bring back every object with its bytes.
// The database half (pg_dump, pg_restore) is the stack suite's tests/stack/backup.test.ts:
// here the database is the API's own and stays as it was, naming the objects to bring back.
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3'
import type { S3Client } from '@aws-sdk/client-s3'
import { fs, path } from 'zx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseOpsEnv } from '../../ops/lib/env.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import { defineStep, runPipeline } from '../../ops/lib/pipeline.ts'
import { backupEnvFrom } from '../../ops/lib/restic.ts'
import type { BackupEnv } from '../../ops/lib/restic.ts'
import { pickSnapshot } from '../../ops/lib/snapshots.ts'
import { createBackupContext, DB_DUMP, workDir } from '../../ops/steps/backup/context.ts'
import type { BackupContext } from '../../ops/steps/backup/context.ts'
import { manifest } from '../../ops/steps/backup/manifest.ts'
import { objects } from '../../ops/steps/backup/objects.ts'
import { repository } from '../../ops/steps/backup/repository.ts'
import { cleanup, store } from '../../ops/steps/backup/store.ts'
import { createRestoreContext } from '../../ops/steps/restore/context.ts'
import type { RestoreContext } from '../../ops/steps/restore/context.ts'
import { objects as putBack } from '../../ops/steps/restore/objects.ts'
import { check, cleanup as removeScratch } from '../../ops/steps/restore/replace.ts'
import { consultationWav } from '../support/audio.ts'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { startS3Server } from '../support/s3-server.ts'
import type { StartedS3 } from '../support/s3-server.ts'

const BUCKET = 'scribe-backup'
const PREFIX = 'clinic-c/'
const PROJECT = `s3-backup-test-${process.pid}`
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe('backup and restore of the object store (SeaweedFS, restic)', { timeout: 180_000 }, () => {
  let s3: StartedS3
  let client: S3Client
  let h: Harness
  let dir = ''
  let env: BackupEnv

  beforeAll(async () => {
    s3 = await startS3Server()
    client = s3.client()
    await s3.createBucket(BUCKET)
    h = await createHarness({ env: s3.env(BUCKET, PREFIX) })
    dir = await mkdtemp(join(tmpdir(), 'scribe-s3-backup-'))
    env = backupEnvFrom(
      parseOpsEnv(
        {
          ...s3.env(BUCKET, PREFIX),
          RESTIC_REPOSITORY: join(dir, 'repo'),
          RESTIC_PASSWORD_FILE: join(dir, 'restic-password'),
          METRICS_TEXTFILE_DIR: join(dir, 'metrics'),
        },
        'test settings'
      )
    )
  }, 120_000)
  afterAll(async () => {
    await h?.close()
    client?.destroy()
    await s3?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
    await rm(workDir(PROJECT), { recursive: true, force: true })
    await rm(fromRoot('build', 'backup', `${PROJECT}.lock`), { force: true })
  })

  /**
   * What the dump step finds, taken from the API's database: the referenced paths, and the
   * rows written to the dump's place so the manifest and snapshot hold the database's part.
   */
  const referenced = defineStep<BackupContext>({
    name: 'database (the API’s own)',
    changes: true,
    run: async (c) => {
      const audio = await h.db.query<{ audio_path: string }>('SELECT audio_path FROM recordings')
      const notes = await h.db.query<{ json_path: string; markdown_path: string }>(
        'SELECT json_path, markdown_path FROM note_versions'
      )
      c.wanted = [
        ...audio.map((r) => `audio/${r.audio_path}`),
        ...notes.flatMap((r) => [`notes/${r.json_path}`, `notes/${r.markdown_path}`]),
      ]
      c.tables = { 'public.recordings': audio.length, 'public.note_versions': notes.length }
      await fs.emptyDir(c.staging)
      await fs.emptyDir(c.work)
      await fs.outputFile(path.join(c.staging, DB_DUMP), JSON.stringify({ audio, notes }))
      return `${c.wanted.length} objects referenced`
    },
  })

  async function backup(): Promise<BackupContext> {
    const c = createBackupContext({ project: PROJECT, env, dryRun: false })
    await runPipeline(
      {
        name: 'backup',
        steps: [repository, referenced, objects, manifest, store],
        always: [cleanup],
      },
      c
    )
    return c
  }

  const objectSums = async (): Promise<Map<string, string>> => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX }))
    const out = new Map<string, string>()
    for (const o of listed.Contents ?? []) {
      if (o.Key!.includes('/.tmp/')) continue
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }))
      out.set(o.Key!.slice(PREFIX.length), sha256(await got.Body!.transformToByteArray()))
    }
    return out
  }

  it('should put back every deleted or damaged object with its bytes, from a backup taken incrementally', async () => {
    const doc = await h.addUser('s3-backup@example.org')
    const settle = async () => {
      const res = await h.upload(doc.token, await consultationWav())
      expect(res.status).toBe(202)
      const { id } = (await res.json()) as { id: string }
      expect((await h.settle(doc.token, id, 30_000)).status).toBe('done')
      return id
    }
    const ids = [await settle(), await settle()]

    const first = await backup()
    expect(first.mirrored).toEqual({ downloaded: 6, reused: 0 })
    expect(first.result!.snapshot_id).toMatch(/^[0-9a-f]{8,64}$/)
    // One more recording: the next backup downloads only its audio and note files.
    ids.push(await settle())
    const second = await backup()
    expect(second.mirrored).toEqual({ downloaded: 3, reused: 6 })
    const before = await objectSums()
    expect(before.size).toBe(9)

    // Lost: two recordings' audio and a note; damaged: a third recording's audio.
    const rows = await h.db.query<{ id: string; audio_path: string; sha256: string }>(
      'SELECT id, audio_path, sha256 FROM recordings ORDER BY created_at'
    )
    for (const r of rows.slice(0, 2))
      await client.send(
        new DeleteObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}audio/${r.audio_path}` })
      )
    const note = [...before.keys()].find((k) => k.endsWith('.md'))!
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${note}` }))
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${PREFIX}audio/${rows[2]!.audio_path}`,
        Body: new Uint8Array([1, 2, 3]),
      })
    )
    const gone = await h.request(`/api/recordings/${rows[0]!.id}/audio`, { headers: doc.auth })
    expect(gone.status).toBeGreaterThanOrEqual(400)

    const r: RestoreContext = createRestoreContext({
      env,
      project: PROJECT,
      yes: true,
      dryRun: false,
    })
    r.snap = await pickSnapshot(r.restic, undefined, PROJECT)
    expect(r.snap.id.startsWith(second.result!.snapshot_id)).toBe(true)
    const takeManifest = defineStep<RestoreContext>({
      name: 'manifest of the snapshot',
      changes: false,
      run: async (c) => {
        c.manifest = second.manifest
        return `${c.manifest!.files.length} files`
      },
    })
    await runPipeline(
      { name: 'restore', steps: [takeManifest, check, putBack], always: [removeScratch] },
      r
    )

    expect(await objectSums()).toEqual(before)
    for (const row of rows) {
      const res = await h.request(`/api/recordings/${row.id}/audio`, { headers: doc.auth })
      expect(res.status).toBe(200)
      expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(row.sha256)
    }
    expect(await fs.pathExists(r.scratch)).toBe(false)
  })
})
