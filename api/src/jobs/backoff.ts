// Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries
// from many jobs spread out without ever retrying immediately.
// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
export function backoffMs(
  attempt: number,
  random: () => number,
  baseMs = 2_000,
  capMs = 300_000
): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(exp / 2 + random() * (exp / 2))
}
