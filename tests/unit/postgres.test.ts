import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertQueuedJobs } from '../support/queued-jobs.ts'
import { startPostgres } from '../support/postgres-server.ts'
import type { StartedPostgres } from '../support/postgres-server.ts'
import { createHarness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'
import { createPostgresDatabase } from '../../api/src/adapters/postgres.ts'
import { MIGRATIONS, migrate } from '../../api/src/store/migrations.ts'
import { createJobStore } from '../../api/src/store/jobs.ts'
import type { ScribeEvent } from '../../api/src/events/hub.ts'

// The same store, queue and events on a real PostgreSQL server, as the container stack runs them.
describe('postgres', { timeout: 60_000 }, () => {
  let server: StartedPostgres
  let n = 0
  const freshDatabase = async () => {
    const name = `scribe_${process.pid}_${n++}`
    const admin = new pg.Client({ connectionString: server.url })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    return server.url.replace(/\/postgres$/, `/${name}`)
  }

  beforeAll(async () => {
    server = await startPostgres()
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
  })

  it('should apply migrations once even when several replicas start at the same time', async () => {
    const url = await freshDatabase()
    const dbs = await Promise.all([1, 2, 3].map(() => createPostgresDatabase(url, 2)))
    const applied = await Promise.all(dbs.map((db) => migrate(db)))
    const ids = MIGRATIONS.map((m) => m.id)
    expect(applied.flat()).toEqual(ids)
    const rows = await dbs[0]!.query<{ id: string }>('SELECT id FROM schema_migrations')
    expect(rows.map((r) => r.id)).toEqual(ids)
    await Promise.all(dbs.map((db) => db.close()))
  })

  it('should hand each job to exactly one of many concurrent claimers (SKIP LOCKED)', async () => {
    const url = await freshDatabase()
    const db = await createPostgresDatabase(url, 8)
    await migrate(db)
    await insertQueuedJobs(db, 30)
    const jobs = createJobStore(db)
    const claimed = await Promise.all(
      Array.from({ length: 40 }, (_, i) => jobs.claim(`w${i % 4}`, 60, ['transcribe']))
    )
    const ids = claimed.filter(Boolean).map((j) => j!.id)
    expect(ids.length).toBe(30)
    expect(new Set(ids).size).toBe(30)
    expect(await jobs.claim('late', 60, ['transcribe'])).toBeUndefined()
    // An expired lease means the worker died: the job is claimable again.
    await db.query(`UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = $1`, [
      ids[0],
    ])
    expect((await jobs.claim('rescuer', 60, ['transcribe']))?.id).toBe(ids[0])
    await db.close()
  })

  it('should take an upload to a note and announce it through LISTEN/NOTIFY after commit', async () => {
    const h = await createHarness({ databaseUrl: await freshDatabase() })
    try {
      const doc = await h.addUser('pg@example.org')
      const events: ScribeEvent[] = []
      const unsubscribe = h.scribe.hub.subscribe(doc.id, (e) => events.push(e))
      const res = await h.upload(doc.token, await consultationWav())
      expect(res.status).toBe(202)
      const { id } = (await res.json()) as { id: string }
      const done = await h.settle(doc.token, id)
      expect(done.status).toBe('done')
      const until = Date.now() + 5_000
      while (!events.some((e) => e.type === 'note.ready') && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20))
      expect(events.map((e) => e.type)).toEqual([
        'recording.queued',
        'recording.transcribing',
        'recording.transcribed',
        'note.ready',
      ])
      expect(events.at(-1)?.note_id).toBe(done.note_id)
      unsubscribe()
      const note = await h.request(`/api/notes/${done.note_id}`, { headers: doc.auth })
      expect(note.status).toBe(200)
    } finally {
      await h.close()
    }
  })
})
