import type { Queryable } from './database.ts'

export type WorkerRow = {
  id: string
  instance: string
  host: string | null
  started_at: Date
  heartbeat_at: Date
}
export type ReleasedJob = { id: string; recording_id: string; worker: string }

/**
 * The registry of live workers. Times are the database's `now()`, so replicas whose clocks
 * disagree still agree on who is stale.
 */
export function createWorkerStore(db: Queryable) {
  return {
    /**
     * Registers this run of worker `id` (a new `instance` each start). Whatever a previous run
     * under the same id still holds is released at once: that run is gone, since ids are unique
     * per live process. Call before claiming anything.
     */
    async register(id: string, instance: string, host: string | null): Promise<ReleasedJob[]> {
      await db.query(
        `INSERT INTO workers (id, instance, host, started_at, heartbeat_at)
         VALUES ($1, $2, $3, now(), now())
         ON CONFLICT (id) DO UPDATE SET instance = EXCLUDED.instance, host = EXCLUDED.host,
           started_at = now(), heartbeat_at = now()`,
        [id, instance, host]
      )
      return db.query<ReleasedJob>(
        `UPDATE jobs SET lease_owner = NULL, lease_until = NULL, lease_worker = NULL, updated_at = now()
         WHERE state = 'pending' AND lease_worker = $1
         RETURNING id, recording_id, $1::text AS worker`,
        [id]
      )
    },
    /** False when another process has registered under the same id since (a misconfiguration). */
    async beat(id: string, instance: string): Promise<boolean> {
      const rows = await db.query(
        'UPDATE workers SET heartbeat_at = now() WHERE id = $1 AND instance = $2 RETURNING id',
        [id, instance]
      )
      return rows.length === 1
    },
    /**
     * Releases the jobs of every other worker silent for more than `staleSeconds`. Safe with
     * several replicas doing it at once: the join re-checks `lease_worker` on the locked row, so a
     * job released (or claimed again) by one is skipped by the others.
     */
    async releaseStale(selfId: string, staleSeconds: number): Promise<ReleasedJob[]> {
      return db.query<ReleasedJob>(
        `UPDATE jobs j SET lease_owner = NULL, lease_until = NULL, lease_worker = NULL, updated_at = now()
         FROM workers w
         WHERE j.state = 'pending' AND j.lease_worker = w.id AND w.id <> $1
           AND w.heartbeat_at < now() - make_interval(secs => $2)
         RETURNING j.id, j.recording_id, w.id AS worker`,
        [selfId, staleSeconds]
      )
    },
    /** On a clean stop (its jobs were handed back), and for workers silent for a day. */
    async remove(id: string, instance: string): Promise<void> {
      await db.query('DELETE FROM workers WHERE id = $1 AND instance = $2', [id, instance])
    },
    async prune(olderThanSeconds: number): Promise<void> {
      await db.query(
        `DELETE FROM workers w WHERE heartbeat_at < now() - make_interval(secs => $1)
           AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.lease_worker = w.id AND j.state = 'pending')`,
        [olderThanSeconds]
      )
    },
    async list(): Promise<WorkerRow[]> {
      return db.query<WorkerRow>(
        'SELECT id, instance, host, started_at, heartbeat_at FROM workers ORDER BY id'
      )
    },
  }
}
export type WorkerStore = ReturnType<typeof createWorkerStore>
