import { echo } from 'zx'

export type StepResult = { name: string; ok: boolean; seconds: number; note?: string }

const results: StepResult[] = []

const seconds = (since: number): number => (performance.now() - since) / 1000

/** Formats a duration the way every step line shows it: `0.04 s`, `1.2 s`, `75 s`. */
export function formatSeconds(s: number): string {
  if (s < 0.1) return `${s.toFixed(2)} s`
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`
}

/**
 * Runs one named step, printing `→ name…` before and `✓ name (1.2 s): note` or
 * `✗ name (1.2 s)` after. The body may return a short note (what it found or did).
 * Failures are recorded and rethrown.
 */
export async function step(name: string, body: () => Promise<string | void>): Promise<void> {
  echo(`→ ${name}…`)
  const start = performance.now()
  try {
    const note = (await body()) ?? undefined
    const s = seconds(start)
    results.push({ name, ok: true, seconds: s, ...(note ? { note } : {}) })
    echo(`✓ ${name} (${formatSeconds(s)})${note ? `: ${note}` : ''}`)
  } catch (err) {
    const s = seconds(start)
    results.push({ name, ok: false, seconds: s })
    echo(`✗ ${name} (${formatSeconds(s)})`)
    throw err
  }
}

/** Prints an indented detail line under the current step. */
export const detail = (line: string): void => echo(`  ${line}`)

/** The one-line summary scripts end with: `Done: 3 ok, 0 failed in 0.6 s`. */
export function summary(startedAt: number): string {
  const ok = results.filter((r) => r.ok).length
  const failed = results.length - ok
  return `Done: ${ok} ok, ${failed} failed in ${formatSeconds(seconds(startedAt))}`
}
