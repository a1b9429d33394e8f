// Builds a drill's journal from what the run saw; a drill skipped or aborted before its fault
// has only its steady state before (or nothing) and no uploads.
import { tallyAnswers } from './answers.ts'
import type { Drill } from './drill.ts'
import type { Recorder } from './drill-context.ts'
import type { Journal } from './journal.ts'
import type { ProbeResult } from './probes.ts'
import type { Tally } from './verify.ts'
import type { Workload } from './workload.ts'

export type Outcome = {
  status: Journal['status']
  reason?: string | undefined
  before?: ProbeResult[]
  after?: ProbeResult[]
  detectMs?: number | null
  recoverMs?: number | null
  tally?: Tally
  rollbacks?: Journal['rollbacks']
  probes?: Journal['probes']
  unclean?: string[]
}

const NO_UPLOADS: Tally = {
  attempted: 0,
  acknowledged: 0,
  completed: 0,
  lost: 0,
  duplicated: 0,
  refused: 0,
  gaveUp: 0,
  unclean: 0,
  problems: [],
}

export function journalEntry(
  drill: Drill,
  started: number,
  rec: Recorder,
  workload: Workload,
  r: Outcome
): Journal {
  const { problems, ...uploads } = r.tally ?? NO_UPLOADS
  const ended = Date.now()
  return {
    drill: drill.name,
    title: drill.title,
    hypothesis: drill.hypothesis,
    fault: drill.fault,
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    startedAt: new Date(started).toISOString(),
    endedAt: new Date(ended).toISOString(),
    durationMs: ended - started,
    steadyStateBefore: r.before ?? [],
    steadyStateAfter: r.after ?? [],
    duringFault: rec.duringFault,
    timeline: rec.timeline,
    timeToDetectMs: r.detectMs ?? null,
    timeToRecoverMs: r.recoverMs ?? null,
    recoverWithinMs: drill.recoverWithinMs,
    recovered: r.recoverMs !== undefined && r.recoverMs !== null,
    uploads,
    problems: [...problems, ...(r.unclean ?? []).map((u) => `unclean answer: ${u}`)],
    answers: tallyAnswers(workload.records),
    reads: workload.reads,
    websocket: { noteReadySeen: workload.noteReady.size, reconnects: workload.socketReconnects },
    rollbacks: r.rollbacks ?? [],
    probes:
      r.probes ?? (r.before ?? []).map((p) => ({ name: `before: ${p.name}`, weight: 1, ok: p.ok })),
  }
}
