import { backoffDelay } from '../contract/retry.ts'

// A job's retries, spaced as every retry of ours is (contract/retry.ts); attempts count from 1.
export function backoffMs(
  attempt: number,
  random: () => number,
  baseMs = 2_000,
  capMs = 300_000
): number {
  return backoffDelay(attempt - 1, baseMs, capMs, random())
}
