// A drill's journal (after Chaos Toolkit's journal.json): what was tried, what was seen, and
// the verdict, one JSON file per drill under chaos/results/ (git-ignored). The table and the
// resilience score (LitmusChaos: the weighted share of probes passed) are computed from them.
import { mkdir, writeFile } from 'node:fs/promises'
import { fromRoot } from '../../ops/lib/paths.ts'
import type { ProbeResult } from './probes.ts'
import type { Tally } from './verify.ts'
import type { Reads } from './workload.ts'

export const RESULTS_DIR = fromRoot('chaos', 'results')

export type Journal = {
  drill: string
  title: string
  hypothesis: string
  fault: string
  status: 'passed' | 'failed' | 'aborted' | 'skipped'
  reason?: string
  startedAt: string
  endedAt: string
  durationMs: number
  steadyStateBefore: ProbeResult[]
  steadyStateAfter: ProbeResult[]
  /** The degraded behaviour the drill checked while the fault was in. */
  duringFault: { what: string; ok: boolean; detail?: string }[]
  timeline: { atMs: number; what: string }[]
  /** From the fault's injection to the first failed probe or request; null if nothing showed. */
  timeToDetectMs: number | null
  /** From the start of the rollbacks until the whole hypothesis held again. */
  timeToRecoverMs: number | null
  recoverWithinMs: number
  recovered: boolean
  uploads: Omit<Tally, 'problems'>
  problems: string[]
  /** Every upload attempt's answer: HTTP status with the error code, or the connection error. */
  answers: Record<string, number>
  reads: Reads
  websocket: { noteReadySeen: number; reconnects: number }
  rollbacks: { name: string; ok: boolean; error?: string }[]
  /** Weighted probes for the resilience score. */
  probes: { name: string; weight: number; ok: boolean }[]
}

export async function writeJournal(j: Journal): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true })
  const file = `${RESULTS_DIR}/${j.drill}.json`
  await writeFile(file, `${JSON.stringify(j, null, 2)}\n`)
  return file
}

/** The weighted share of probes passed over every drill that ran, in percent. */
export function resilienceScore(journals: Journal[]): number {
  const probes = journals.filter((j) => j.status !== 'skipped').flatMap((j) => j.probes)
  const total = probes.reduce((n, p) => n + p.weight, 0)
  const passed = probes.filter((p) => p.ok).reduce((n, p) => n + p.weight, 0)
  return total === 0 ? 0 : Math.round((1000 * passed) / total) / 10
}

const secs = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`)

export function table(journals: Journal[]): string {
  const head = [
    'drill',
    'result',
    'detect',
    'recover',
    'attempted',
    'acked',
    'completed',
    'lost',
    'dup',
    'refused',
    'score',
  ]
  const rows = journals.map((j) => [
    j.drill,
    j.status,
    secs(j.timeToDetectMs),
    secs(j.timeToRecoverMs),
    String(j.uploads.attempted),
    String(j.uploads.acknowledged),
    String(j.uploads.completed),
    String(j.uploads.lost),
    String(j.uploads.duplicated),
    String(j.uploads.refused + j.uploads.gaveUp),
    j.status === 'skipped' ? '-' : `${resilienceScore([j])}%`,
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}
