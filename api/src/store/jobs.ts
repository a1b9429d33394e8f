import type { Queryable } from './database.ts'
import type { Transcript } from '../providers/types.ts'

export type JobStage = 'transcribe' | 'summarize'
export type Job = {
  id: string
  recording_id: string
  state: 'pending' | 'done' | 'failed'
  stage: JobStage
  attempts: number
  permanent_failures: number
  lease_owner: string | null
  transcript: Transcript | null
  last_error: string | null
}

export function createJobStore(db: Queryable) {
  return {
    /**
     * Claims the oldest due job of the allowed stages. SKIP LOCKED lets replicas share the queue
     * without waiting on each other; an expired lease means its worker died, so it is taken again.
     */
    async claim(
      owner: string,
      leaseSeconds: number,
      stages: JobStage[],
      workerId: string | null = null
    ): Promise<Job | undefined> {
      if (stages.length === 0) return undefined
      const rows = await db.query<Job>(
        `UPDATE jobs SET lease_owner = $1, lease_until = now() + make_interval(secs => $2),
           lease_worker = $4, attempts = attempts + 1, updated_at = now()
         WHERE id = (
           SELECT id FROM jobs
           WHERE state = 'pending' AND run_at <= now() AND stage = ANY($3::text[])
             AND (lease_until IS NULL OR lease_until < now())
           ORDER BY run_at, created_at
           LIMIT 1
           FOR UPDATE SKIP LOCKED)
         RETURNING id, recording_id, state, stage, attempts, permanent_failures, lease_owner, transcript, last_error`,
        [owner, leaseSeconds, stages, workerId]
      )
      return rows[0]
    },
    /** Moves a job to its next stage, only if this worker still holds its lease. */
    async saveTranscript(job: Job, transcript: Transcript, leaseSeconds: number): Promise<boolean> {
      const rows = await db.query(
        `UPDATE jobs SET stage = 'summarize', transcript = $3::jsonb, lease_until = now() + make_interval(secs => $4),
           updated_at = now()
         WHERE id = $1 AND lease_owner = $2 AND state = 'pending' RETURNING id`,
        [job.id, job.lease_owner, JSON.stringify(transcript), leaseSeconds]
      )
      return rows.length === 1
    },
    async finish(
      job: Job,
      state: 'done' | 'failed',
      error: string | null = null
    ): Promise<boolean> {
      const rows = await db.query(
        `UPDATE jobs SET state = $3, last_error = $4, lease_owner = NULL, lease_until = NULL,
           lease_worker = NULL, updated_at = now()
         WHERE id = $1 AND lease_owner = $2 AND state = 'pending' RETURNING id`,
        [job.id, job.lease_owner, state, error]
      )
      return rows.length === 1
    },
    /** Releases the lease and schedules the next try; `permanent` counts towards the attempt limit. */
    async retryLater(job: Job, delayMs: number, error: string, permanent: boolean): Promise<void> {
      await db.query(
        `UPDATE jobs SET lease_owner = NULL, lease_until = NULL, lease_worker = NULL,
           run_at = now() + make_interval(secs => $3),
           last_error = $4, permanent_failures = permanent_failures + $5, updated_at = now()
         WHERE id = $1 AND lease_owner = $2 AND state = 'pending'`,
        [job.id, job.lease_owner, delayMs / 1000, error, permanent ? 1 : 0]
      )
    },
    async counts(): Promise<Record<string, number>> {
      const rows = await db.query<{ key: string; n: number }>(
        `SELECT CASE WHEN state = 'pending' THEN
                  CASE WHEN lease_until > now() THEN 'running' ELSE 'waiting' END
                ELSE state END AS key, count(*)::int AS n
         FROM jobs GROUP BY 1`
      )
      const out: Record<string, number> = { waiting: 0, running: 0, done: 0, failed: 0 }
      for (const r of rows) out[r.key] = r.n
      return out
    },
    /** Age of the oldest job not yet done or failed, in seconds (0 when there is none). */
    async oldestPendingSeconds(): Promise<number> {
      const rows = await db.query<{ age: number | string | null }>(
        `SELECT extract(epoch FROM now() - min(created_at))::float8 AS age
         FROM jobs WHERE state = 'pending'`
      )
      return Math.max(0, Number(rows[0]?.age ?? 0))
    },
  }
}
export type JobStore = ReturnType<typeof createJobStore>

/** Keeps a lease alive while its worker is busy, so only a dead worker's jobs are taken over. */
export async function renewLease(db: Queryable, job: Job, leaseSeconds: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE jobs SET lease_until = now() + make_interval(secs => $3)
     WHERE id = $1 AND lease_owner = $2 AND state = 'pending' RETURNING id`,
    [job.id, job.lease_owner, leaseSeconds]
  )
  return rows.length === 1
}
