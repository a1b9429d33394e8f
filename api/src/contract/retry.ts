// How the PWA and the server space their retries, one function for both: exponential backoff
// with "equal jitter", half the delay fixed and half random, so retries from many clients or
// jobs spread out without ever retrying at once.
// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/

/** Between half and all of base·2^attempt (attempt 0 is the first retry), capped at `maxMs`. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: number) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt))
  return Math.round(ceiling / 2 + random * (ceiling / 2))
}
