import { ProviderError } from '../providers/types.ts'
import type { Job, JobStage } from '../store/jobs.ts'
import { renewLease } from '../store/jobs.ts'
import { inTransaction, storesOf } from '../store/stores.ts'
import { backoffMs } from './backoff.ts'
import { runJob } from './run-job.ts'
import { createHeartbeat } from './heartbeat.ts'
import type { WorkerDeps } from './types.ts'
import { LostLeaseError } from './types.ts'

export type { WorkerDeps } from './types.ts'

/** Runs jobs from the durable queue with `concurrency` slots until stopped. */
export function createWorker(deps: WorkerDeps) {
  const heartbeat = createHeartbeat({
    db: deps.db,
    logger: deps.logger,
    workerId: deps.workerId ?? `worker-${crypto.randomUUID()}`,
    host: deps.host ?? null,
    intervalMs: (deps.heartbeatSeconds ?? 5) * 1000,
    staleSeconds: deps.staleSeconds ?? 15,
    onReleased: () => wake(),
  })
  const owner = `${heartbeat.id()}/${heartbeat.instance}`
  // Each claim gets its own lease token, so two slots of one process can never both pass the
  // lease checks for the same job.
  const leaseToken = () => `${owner}/${crypto.randomUUID()}`
  const { jobs } = storesOf(deps.db)
  const random = deps.random ?? Math.random
  const maxPermanent = deps.maxPermanentFailures ?? 3
  let running = false
  let waiters: (() => void)[] = []
  const inFlight = new Map<string, AbortController>()
  const loops: Promise<void>[] = []

  const wake = () => {
    const w = waiters
    waiters = []
    for (const fn of w) fn()
  }
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms)
      waiters.push(() => (clearTimeout(t), resolve()))
    })

  const stagesOpen = (): JobStage[] => {
    const stages: JobStage[] = []
    if (deps.stt && deps.circuits.stt.state !== 'open') stages.push('transcribe')
    if (deps.circuits.writer.state !== 'open') stages.push('summarize')
    return stages
  }

  async function handleFailure(job: Job, err: unknown) {
    const message = err instanceof Error ? err.message : String(err)
    if (err instanceof LostLeaseError)
      return deps.logger.warn('lost the lease of a job', { job_id: job.id })
    const transient = err instanceof ProviderError && err.kind === 'transient'
    if (transient || job.permanent_failures + 1 < maxPermanent) {
      const wait = Math.max(
        backoffMs(job.attempts, random, deps.backoff?.baseMs, deps.backoff?.capMs),
        err instanceof ProviderError ? (err.retryAfterMs ?? 0) : 0
      )
      deps.logger.warn('job will be retried', {
        job_id: job.id,
        recording_id: job.recording_id,
        transient,
        wait_ms: wait,
        error: message,
      })
      await jobs.retryLater(job, wait, message, !transient)
      return
    }
    deps.logger.error('job failed', {
      job_id: job.id,
      recording_id: job.recording_id,
      error: message,
    })
    await inTransaction(deps.db, async (s, tx) => {
      if (!(await s.jobs.finish(job, 'failed', message))) return
      const rec = await s.recordings.byId(job.recording_id)
      await s.recordings.setStatus(job.recording_id, 'failed', message)
      if (rec) {
        await deps.hub.publish(tx, {
          type: 'recording.failed',
          user_id: rec.user_id,
          recording_id: rec.id,
          status: 'failed',
          reason: message,
        })
      }
    })
  }

  async function runOne(job: Job) {
    const ctl = new AbortController()
    inFlight.set(job.id, ctl)
    const heartbeat = setInterval(
      () => void renewLease(deps.db, job, deps.leaseSeconds).catch(() => {}),
      (deps.leaseSeconds * 1000) / 3
    )
    try {
      await runJob(job, { ...deps, signal: ctl.signal, leaseSeconds: deps.leaseSeconds })
      // Which replica did the work: with several API replicas, the one line that says so.
      deps.logger.info('job ran', {
        job_id: job.id,
        recording_id: job.recording_id,
        stage: job.stage,
        worker: owner,
      })
    } catch (err) {
      if (ctl.signal.aborted) {
        await jobs.retryLater(job, 0, 'interrupted by shutdown', false).catch(() => {})
      } else {
        await handleFailure(job, err).catch((e) =>
          deps.logger.error('could not record a job failure', { error: String(e) })
        )
      }
    } finally {
      clearInterval(heartbeat)
      inFlight.delete(job.id)
    }
  }

  async function loop(slot: number) {
    while (running) {
      let job: Job | undefined
      try {
        job = await jobs.claim(leaseToken(), deps.leaseSeconds, stagesOpen(), heartbeat.id())
      } catch (err) {
        deps.logger.error('could not claim a job', { slot, error: String(err) })
      }
      if (!running) break
      if (job) await runOne(job)
      else await idle(deps.pollMs ?? 1000)
    }
  }

  return {
    owner,
    wake,
    workerId: () => heartbeat.id(),
    /** Registers the worker (taking back what its previous run held), then starts claiming. */
    async start() {
      if (running) return
      running = true
      await heartbeat.start()
      for (let i = 0; i < deps.concurrency; i++) loops.push(loop(i))
    },
    /** Stops claiming; jobs still running after `graceMs` are aborted and handed back to the queue. */
    async stop(graceMs = 10_000) {
      running = false
      wake()
      const timer = setTimeout(() => inFlight.forEach((c) => c.abort()), graceMs)
      await Promise.all(loops)
      clearTimeout(timer)
      await heartbeat.stop()
    },
    busy: () => inFlight.size,
  }
}
export type Worker = ReturnType<typeof createWorker>
