// make backup / backup-verify / restore with STORAGE=s3, the scripts run as an operator runs
// them: an API (in process) keeps its rows in the project's PostgreSQL (the suite's postgres
// image, on the project's pgdata volume) and its audio and notes in a real S3 server
// (SeaweedFS); after the backup, objects are deleted or damaged and the recordings' rows too;
// the restore brings back every object with its bytes and the database that names them.
import { createHash } from 'node:crypto'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { DEFAULT_TAG } from '../../ops/lib/images.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import { ensureSeaweedfs } from '../../ops/steps/tools/seaweedfs.ts'
import { consultationWav } from '../support/audio.ts'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { startS3Server } from '../support/s3-server.ts'
import type { StartedS3 } from '../support/s3-server.ts'
import { ops } from './ops-script.ts'

const run = promisify(execFile)
const docker = async (...args: string[]) =>
  (await run('docker', args, { timeout: 120_000 })).stdout.trim()
const stack = inject('stack')
const BUCKET = 'scribe-stack'
const PASSWORD = 'backup-s3-test-password'
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe.skipIf(!stack)('backup and restore with STORAGE=s3', { timeout: 600_000 }, () => {
  const project = `scribe-s3-backup-${process.pid}`
  const pg = `${project}-postgres`
  let s3: StartedS3
  let dir = ''
  let databaseUrl = ''
  let env: Record<string, string> = {}

  beforeAll(async () => {
    await ensureSeaweedfs()
    s3 = await startS3Server()
    await s3.createBucket(BUCKET)
    dir = await mkdtemp(join(tmpdir(), 'scribe-s3-backup-'))
    // The project's postgres as compose labels it, so the scripts find it and its volume.
    await docker('volume', 'create', `${project}_pgdata`)
    await docker(
      'run',
      '-d',
      '--name',
      pg,
      '--label',
      `com.docker.compose.project=${project}`,
      '--label',
      'com.docker.compose.service=postgres',
      '-e',
      'POSTGRES_USER=scribe',
      '-e',
      'POSTGRES_DB=scribe',
      '-e',
      `POSTGRES_PASSWORD=${PASSWORD}`,
      '--tmpfs',
      '/tmp',
      '-p',
      '127.0.0.1::5432',
      '-v',
      `${project}_pgdata:/var/lib/postgresql/data`,
      `medic-scribe/postgres:${DEFAULT_TAG}`
    )
    const port = (await docker('port', pg, '5432/tcp')).split('\n')[0]!.split(':').at(-1)
    databaseUrl = `postgres://scribe:${PASSWORD}@127.0.0.1:${port}/scribe`
    // Over TCP: the first start's initialisation runs a server on the socket only.
    const until = Date.now() + 90_000
    while (
      !(await docker(
        'exec',
        pg,
        'pg_isready',
        '-q',
        '-h',
        '127.0.0.1',
        '-U',
        'scribe',
        '-d',
        'scribe'
      ).then(
        () => true,
        () => false
      ))
    ) {
      if (Date.now() > until) throw new Error(`${pg} did not start`)
      await new Promise((r) => setTimeout(r, 300))
    }
    env = {
      ...s3.env(BUCKET, 'clinic-s/'),
      SCRIBE_ENV_FILE: join(dir, 'none.env'),
      COMPOSE_PROJECT_NAME: project,
      POSTGRES_PASSWORD: PASSWORD,
      SCRIBE_TAG: DEFAULT_TAG,
      RESTIC_REPOSITORY: join(dir, 'repo'),
      RESTIC_PASSWORD_FILE: join(dir, 'restic-password'),
      METRICS_TEXTFILE_DIR: join(dir, 'metrics'),
    }
  }, 180_000)
  afterAll(async () => {
    await docker('rm', '-f', pg).catch(() => '')
    await docker('volume', 'rm', `${project}_pgdata`).catch(() => '')
    await s3?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
    await rm(fromRoot('build', 'backup', project), { recursive: true, force: true })
    await rm(fromRoot('build', 'backup', `${project}.lock`), { force: true })
  })

  const api = (): Promise<Harness> =>
    createHarness({ env: s3.env(BUCKET, 'clinic-s/'), databaseUrl, concurrency: 1 })

  it('should bring back every object with its bytes and the rows that name them', async () => {
    let h = await api()
    const doc = await h.addUser('s3-stack@example.org')
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await h.upload(doc.token, await consultationWav())
      expect(res.status).toBe(202)
      const { id } = (await res.json()) as { id: string }
      expect((await h.settle(doc.token, id, 60_000)).status).toBe('done')
      ids.push(id)
    }
    const rows = await h.db.query<{ id: string; audio_path: string; sha256: string }>(
      'SELECT id, audio_path, sha256 FROM recordings ORDER BY id'
    )
    await h.close()

    const backup = await ops('backup.ts', [], env)
    expect(backup.code, backup.out).toBe(0)
    expect(backup.out).toMatch(/9 objects \(9 downloaded/)
    // Incremental: the next backup finds every object's ETag and size unchanged.
    const again = await ops('backup.ts', [], env)
    expect(again.code, again.out).toBe(0)
    expect(again.out).toMatch(/9 objects \(0 downloaded, 9 unchanged since the last backup/)
    const verify = await ops('backup-verify.ts', ['--quick'], env)
    expect(verify.code, verify.out).toBe(0)

    // The disaster: two recordings' audio deleted, one audio overwritten, and every recording,
    // job and note gone from the database.
    const client = s3.client()
    for (const r of rows.slice(0, 2))
      await client.send(
        new DeleteObjectCommand({ Bucket: BUCKET, Key: `clinic-s/audio/${r.audio_path}` })
      )
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `clinic-s/audio/${rows[2]!.audio_path}`,
        Body: new Uint8Array([0]),
      })
    )
    client.destroy()
    await docker(
      'exec',
      pg,
      'psql',
      '-U',
      'scribe',
      '-d',
      'scribe',
      '-c',
      'TRUNCATE recordings CASCADE'
    )

    const restore = await ops('restore.ts', ['--yes'], env)
    console.log(restore.out)
    expect(restore.code, restore.out).toBe(0)
    expect(restore.out).toMatch(/3 objects put back/)

    h = await api()
    try {
      // The same account (its row came back with the database): a token for it.
      const again = await h.addUser('s3-stack@example.org')
      expect(again.id).toBe(doc.id)
      for (const r of rows) {
        const res = await h.request(`/api/recordings/${r.id}/audio`, { headers: again.auth })
        expect(res.status, r.id).toBe(200)
        expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(r.sha256)
      }
      expect(await h.rowCounts()).toMatchObject({ recordings: 3 })
    } finally {
      await h.close()
    }
  })
})
