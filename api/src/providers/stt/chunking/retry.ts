import { backoffMs } from '../../../jobs/backoff.ts'
import { ProviderError } from '../../types.ts'

export type ChunkRetryOptions = {
  /** Tries per chunk before the failure goes to the job queue. Default 3. */
  attempts?: number
  /** Backoff between tries (the job queue's equal-jitter formula). Defaults 1 s and 15 s. */
  baseMs?: number
  capMs?: number
  random?: () => number
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const t = setTimeout(() => (signal.removeEventListener('abort', stop), resolve()), ms)
    const stop = () => (clearTimeout(t), reject(signal.reason))
    signal.addEventListener('abort', stop, { once: true })
  })

/**
 * Retries one chunk's call on transient failures (outage, rate limit, timeout), so a hiccup on
 * chunk 5 does not throw away chunks 1-4: the job queue would start the recording over. Permanent
 * failures, and waits longer than `capMs` (a long Retry-After), go to the queue at once: it
 * counts them, backs off and opens the circuit as for any provider call.
 */
export async function withChunkRetry<T>(
  fn: () => Promise<T>,
  signal: AbortSignal,
  opts: ChunkRetryOptions = {}
): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 3)
  const capMs = opts.capMs ?? 15_000
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (err) {
      const transient = err instanceof ProviderError && err.kind === 'transient'
      if (!transient || attempt >= attempts || signal.aborted) throw err
      const wait = Math.max(
        backoffMs(attempt, opts.random ?? Math.random, opts.baseMs ?? 1_000, capMs),
        err.retryAfterMs ?? 0
      )
      if (wait > capMs) throw err
      await sleep(wait, signal)
    }
  }
}
