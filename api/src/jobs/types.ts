// What the worker and a single job run share; its own file so run-job.ts and worker.ts do not
// import each other.
import type { Database } from '../store/database.ts'
import type { FileStore } from '../files/file-store.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import type { Clock } from '../lib/clock.ts'
import type { NoteWriter, SpeechToText } from '../providers/types.ts'
import type { EventHub } from '../events/hub.ts'
import type { Circuit } from './circuit.ts'

export type WorkerDeps = {
  db: Database
  files: FileStore
  hub: EventHub
  stt: SpeechToText | undefined
  writer: NoteWriter
  circuits: { stt: Circuit; writer: Circuit }
  logger: Logger
  metrics: Metrics
  clock: Clock
  random?: () => number
  concurrency: number
  leaseSeconds: number
  /** Stable across restarts of this process (WORKER_ID): a restart takes back its own jobs. */
  workerId?: string
  /** How often this worker says it is alive, and after how long without that it counts as dead. */
  heartbeatSeconds?: number
  staleSeconds?: number
  host?: string
  pollMs?: number
  maxPermanentFailures?: number
  sttLabel?: string
  backoff?: { baseMs: number; capMs: number }
}

/** The job was taken from this worker (its lease expired or its worker was declared dead). */
export class LostLeaseError extends Error {}
