import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertQueuedJobs } from '../support/queued-jobs.ts'
import { startPostgres } from '../support/postgres-server.ts'
import type { StartedPostgres } from '../support/postgres-server.ts'
import { createPostgresDatabase } from '../../api/src/adapters/postgres.ts'
import type { Database } from '../../api/src/store/database.ts'
import { migrate } from '../../api/src/store/migrations.ts'
import { createJobStore } from '../../api/src/store/jobs.ts'
import { createWorkerStore } from '../../api/src/store/workers.ts'

// Releasing a dead worker's jobs, on a real PostgreSQL server: replicas do it concurrently.
describe('worker heartbeats', { timeout: 60_000 }, () => {
  let server: StartedPostgres
  let n = 0
  const opened: Database[] = []
  const freshDatabase = async () => {
    const name = `scribe_hb_${process.pid}_${n++}`
    const admin = new pg.Client({ connectionString: server.url })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    return server.url.replace(/\/postgres$/, `/${name}`)
  }
  const open = async (url: string) => {
    const db = await createPostgresDatabase(url, 4)
    opened.push(db)
    return db
  }

  beforeAll(async () => {
    server = await startPostgres()
  }, 60_000)
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()))
    await server?.stop()
  })

  /** `count` queued jobs, each claimed by worker `worker` (as its claim loop would). */
  async function leasedJobs(db: Database, worker: string, count: number): Promise<string[]> {
    await insertQueuedJobs(db, count)
    const jobs = createJobStore(db)
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      const job = await jobs.claim(`${worker}/lease-${i}`, 300, ['transcribe'], worker)
      ids.push(job!.id)
    }
    return ids
  }
  const silentFor = (db: Database, worker: string, seconds: number) =>
    db.query(`UPDATE workers SET heartbeat_at = now() - make_interval(secs => $2) WHERE id = $1`, [
      worker,
      seconds,
    ])
  const leaseOf = async (db: Database, ids: string[]) =>
    db.query<{ id: string; lease_owner: string | null; lease_worker: string | null }>(
      'SELECT id, lease_owner, lease_worker FROM jobs WHERE id = ANY($1::uuid[]) ORDER BY id',
      [ids]
    )

  it('should release the jobs of a worker whose heartbeat is stale, and they can be claimed at once', async () => {
    const db = await open(await freshDatabase())
    await migrate(db)
    const workers = createWorkerStore(db)
    await workers.register('dead', 'run-1', 'host-a')
    await workers.register('alive', 'run-1', 'host-b')
    const ids = await leasedJobs(db, 'dead', 3)
    await silentFor(db, 'dead', 60)

    const released = await workers.releaseStale('alive', 20)
    expect(released.map((r) => r.id).sort()).toEqual([...ids].sort())
    expect(released.every((r) => r.worker === 'dead')).toBe(true)
    for (const row of await leaseOf(db, ids)) {
      expect(row.lease_owner).toBeNull()
      expect(row.lease_worker).toBeNull()
    }
    // The lease was 300 s; the job is claimable now all the same.
    const again = await createJobStore(db).claim('alive/x', 300, ['transcribe'], 'alive')
    expect(ids).toContain(again?.id)
  })

  it('should leave the jobs of a worker with a fresh heartbeat, and never release its own', async () => {
    const db = await open(await freshDatabase())
    await migrate(db)
    const workers = createWorkerStore(db)
    await workers.register('busy', 'run-1', null)
    await workers.register('me', 'run-1', null)
    const busy = await leasedJobs(db, 'busy', 2)
    const mine = await leasedJobs(db, 'me', 2)
    await silentFor(db, 'busy', 5)
    // The caller's own row may look stale (a long pause of its own event loop): still not released.
    await silentFor(db, 'me', 600)

    expect(await workers.releaseStale('me', 20)).toEqual([])
    for (const row of await leaseOf(db, [...busy, ...mine])) expect(row.lease_owner).not.toBeNull()
    // A beat moves the heartbeat forward.
    expect(await workers.beat('busy', 'run-1')).toBe(true)
    const [row] = await db.query<{ age: number }>(
      `SELECT extract(epoch FROM now() - heartbeat_at)::float8 AS age FROM workers WHERE id = 'busy'`
    )
    expect(row!.age).toBeLessThan(1)
  })

  it('should release each job once when two replicas race to release the same dead worker', async () => {
    const url = await freshDatabase()
    const a = await open(url)
    const b = await open(url)
    await migrate(a)
    await createWorkerStore(a).register('dead', 'run-1', null)
    await createWorkerStore(a).register('replica-a', 'run-1', null)
    await createWorkerStore(a).register('replica-b', 'run-1', null)
    const ids = await leasedJobs(a, 'dead', 40)
    await silentFor(a, 'dead', 60)

    // Several statements from each replica's pool at the same moment.
    const rounds = await Promise.all([
      ...Array.from({ length: 4 }, () => createWorkerStore(a).releaseStale('replica-a', 20)),
      ...Array.from({ length: 4 }, () => createWorkerStore(b).releaseStale('replica-b', 20)),
    ])
    const released = rounds.flat().map((r) => r.id)
    expect(released).toHaveLength(ids.length)
    expect(new Set(released).size).toBe(ids.length)
    expect([...released].sort()).toEqual([...ids].sort())
  })

  it('should give a restarted worker back its own jobs at registration, but no one else’s', async () => {
    const db = await open(await freshDatabase())
    await migrate(db)
    const workers = createWorkerStore(db)
    await workers.register('api-1', 'first-run', null)
    await workers.register('api-2', 'first-run', null)
    const mine = await leasedJobs(db, 'api-1', 2)
    const theirs = await leasedJobs(db, 'api-2', 2)

    // Restarted a second later: its heartbeat is still fresh, it takes its jobs back anyway.
    const released = await workers.register('api-1', 'second-run', null)
    expect(released.map((r) => r.id).sort()).toEqual([...mine].sort())
    for (const row of await leaseOf(db, theirs)) expect(row.lease_worker).toBe('api-2')
    // The previous run, were it somehow alive, learns that its id was taken.
    expect(await workers.beat('api-1', 'first-run')).toBe(false)
    expect(await workers.beat('api-1', 'second-run')).toBe(true)
  })

  it('should forget a worker that stopped cleanly and prune long-silent ones without jobs', async () => {
    const db = await open(await freshDatabase())
    await migrate(db)
    const workers = createWorkerStore(db)
    await workers.register('clean', 'r', null)
    await workers.register('old-idle', 'r', null)
    await workers.register('old-busy', 'r', null)
    await leasedJobs(db, 'old-busy', 1)
    await silentFor(db, 'old-idle', 2 * 86_400)
    await silentFor(db, 'old-busy', 2 * 86_400)
    await workers.remove('clean', 'r')
    await workers.prune(86_400)
    expect((await workers.list()).map((w) => w.id)).toEqual(['old-busy'])
  })
})
