import type { Database } from '../store/database.ts'
import type { Logger } from '../lib/logger.ts'
import { storesOf } from '../store/stores.ts'
import type { ReleasedJob } from '../store/workers.ts'

export type HeartbeatOptions = {
  db: Database
  logger: Logger
  /** Stable across restarts (WORKER_ID, by default the host name). */
  workerId: string
  host: string | null
  intervalMs: number
  /** A worker silent this long is dead: its jobs are released (at least 2 intervals). */
  staleSeconds: number
  /** Called after jobs were released, so idle slots claim them now rather than at their next poll. */
  onReleased: () => void
}

const DAY_S = 24 * 3600

/**
 * Registers this worker and keeps its heartbeat; on every beat it also releases the jobs of
 * workers that stopped beating. So a crashed replica's jobs resume within `staleSeconds` plus
 * one interval on any other replica, and at once when the same worker starts again. The job
 * lease stays the last resort (a worker from before this table, or no replica left beating).
 */
export function createHeartbeat(opts: HeartbeatOptions) {
  const { workers } = storesOf(opts.db)
  const instance = crypto.randomUUID()
  let id = opts.workerId
  let timer: ReturnType<typeof setInterval> | undefined
  let beating: Promise<void> | undefined

  const announce = (jobs: ReleasedJob[], why: string) => {
    if (jobs.length === 0) return
    opts.logger.warn(why, {
      worker_id: id,
      released: jobs.map((j) => ({ job_id: j.id, recording_id: j.recording_id, from: j.worker })),
    })
    opts.onReleased()
  }

  async function beat() {
    if (!(await workers.beat(id, instance))) {
      // Two live processes under one id would keep taking each other's jobs on every start;
      // this one steps aside under an id of its own (its in-flight jobs end as lost leases).
      const taken = id
      id = `${opts.workerId}~${instance.slice(0, 8)}`
      opts.logger.error('another process registered with this WORKER_ID; set a distinct one', {
        worker_id: taken,
        now_running_as: id,
      })
      await workers.register(id, instance, opts.host)
    }
    announce(
      await workers.releaseStale(id, opts.staleSeconds),
      'released the jobs of workers that stopped'
    )
  }

  return {
    /** The id to lease jobs under (it changes only in the misconfiguration above). */
    id: () => id,
    instance,
    async start() {
      announce(
        await workers.register(id, instance, opts.host),
        'took back the jobs of this worker before its restart'
      )
      await workers.prune(DAY_S).catch(() => {})
      timer = setInterval(() => {
        if (beating) return
        beating = beat()
          .catch((err: unknown) => opts.logger.warn('heartbeat failed', { error: String(err) }))
          .finally(() => (beating = undefined))
      }, opts.intervalMs)
    },
    async stop() {
      clearInterval(timer)
      await beating
      await workers.remove(id, instance).catch(() => {})
    },
  }
}
export type Heartbeat = ReturnType<typeof createHeartbeat>
