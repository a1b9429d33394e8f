// The shape of a drill, after Chaos Toolkit's experiments: a steady-state hypothesis checked
// before and after, a method that injects ONE fault while the workload runs, rollbacks that
// always run, and how soon the hypothesis must hold again. https://chaostoolkit.org/reference/api/experiment/
import type { Target } from './target.ts'
import type { Workload } from './workload.ts'

export type DrillContext = {
  target: Target
  /** The drill clinician's bearer token. */
  token: string
  workload: Workload
  /** Adds a line to the journal's timeline (what the drill did, with when). */
  note: (what: string) => void
  /** Marks the moment the fault is in, when the method first sets things up (default: its start). */
  faultIn: (what: string) => void
  /** The fault's observable effects that the drill checked while it was active. */
  expect: (what: string, ok: boolean, detail?: string) => void
}

export type Drill = {
  /** The file name without `.drill.ts`: what `make chaos DRILL=` takes. */
  name: string
  title: string
  /** What must stay true: the steady state, and what the fault must not break. */
  hypothesis: string
  /** The one fault, in an operator's words (the command that injects it). */
  fault: string
  /** What the stack needs beyond a plain stack: the chaos overlay's fake provider and volume. */
  needs?: ('chaos-overlay' | 'root')[]
  /** The hypothesis must hold again within this long after the rollbacks. */
  recoverWithinMs: number
  /** Whether the workload (uploads, note reads, a WebSocket) runs during the method. */
  workload?: boolean
  /**
   * For faults the quick probes cannot see (the edge and readiness stay green): a check polled
   * every second while the fault is in, true once the stack shows it noticed.
   */
  detect?: (ctx: DrillContext) => Promise<boolean>
  /** Injects the fault, keeps it for its duration, checks the degraded behaviour. */
  method: (ctx: DrillContext) => Promise<void>
  /** Remove the fault; they run in order even when the method threw, and must be idempotent. */
  rollbacks: { name: string; run: (ctx: DrillContext) => Promise<void> }[]
}

export const defineDrill = (drill: Drill): Drill => drill
