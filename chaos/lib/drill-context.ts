// What a drill's method and rollbacks are given: the stack, the workload, and a timeline that
// also records when the fault went in and what the drill checked while it was in.
import type { DrillContext } from './drill.ts'
import type { Journal } from './journal.ts'
import type { Target } from './target.ts'
import type { Workload } from './workload.ts'

export type Recorder = {
  ctx: DrillContext
  timeline: Journal['timeline']
  duringFault: Journal['duringFault']
  /** When the fault is in: the method's start, unless the drill marks it after its set-up. */
  injectAt: () => number
  markInjected: () => void
  note: (what: string) => void
}

export function createRecorder(
  target: Target,
  token: string,
  workload: Workload,
  started: number,
  log: (line: string) => void
): Recorder {
  const timeline: Journal['timeline'] = []
  const duringFault: Journal['duringFault'] = []
  let injectAt = Date.now()
  const note = (what: string) => {
    timeline.push({ atMs: Date.now() - started, what })
    log(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${what}`)
  }
  const ctx: DrillContext = {
    target,
    token,
    workload,
    note,
    faultIn: (what) => {
      injectAt = Date.now()
      note(`fault in: ${what}`)
    },
    expect: (what, ok, detail) => {
      duringFault.push({ what, ok, ...(detail ? { detail } : {}) })
      note(`${ok ? 'as expected' : 'NOT as expected'}: ${what}${detail ? ` (${detail})` : ''}`)
    },
  }
  return {
    ctx,
    timeline,
    duringFault,
    injectAt: () => injectAt,
    markInjected: () => (injectAt = Date.now()),
    note,
  }
}
