// Runs one drill: steady state → workload → inject → observe → rollbacks (always) → the
// hypothesis again within its time → every acknowledged recording checked → the journal.
import { startDetection } from './detection.ts'
import type { Drill } from './drill.ts'
import { createRecorder } from './drill-context.ts'
import type { Journal } from './journal.ts'
import { journalEntry } from './journal-entry.ts'
import type { Outcome } from './journal-entry.ts'
import { steadyState } from './probes.ts'
import { awaitRecovery } from './recovery.ts'
import { runRollbacks } from './rollbacks.ts'
import type { Target } from './target.ts'
import { verdict } from './verdict.ts'
import { verifyRecordings } from './verify.ts'
import { createWorkload } from './workload.ts'

export type Capabilities = { overlay: boolean; root: boolean }

// How long acknowledged recordings get to become notes once the drill is over.
const SETTLE_MS = 90_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function runDrill(
  drill: Drill,
  target: Target,
  token: string,
  audio: Uint8Array,
  can: Capabilities,
  log: (line: string) => void = console.log
): Promise<Journal> {
  const started = Date.now()
  const workload = createWorkload(target, token, audio)
  const rec = createRecorder(target, token, workload, started, log)
  const finish = (o: Outcome) => journalEntry(drill, started, rec, workload, o)

  const missing = (drill.needs ?? []).filter((n) => (n === 'root' ? !can.root : !can.overlay))
  if (missing.length > 0)
    return finish({ status: 'skipped', reason: `needs ${missing.join(', ')}` })

  rec.note('steady state before')
  const before = await steadyState(target, token, workload)
  if (!before.every((p) => p.ok))
    return finish({
      status: 'aborted',
      reason: 'the steady state did not hold before the fault',
      before,
    })

  if (drill.workload !== false) workload.startTraffic()
  await sleep(1_500)
  rec.markInjected()
  const detection = startDetection(drill, rec.ctx)

  rec.note(`inject: ${drill.fault}`)
  let methodError: string | undefined
  try {
    await drill.method(rec.ctx)
  } catch (err) {
    methodError = String(err)
    rec.note(`the method failed: ${methodError}`)
  }
  // Recovery is timed from the moment the fault starts being removed (an api's restart
  // included), to the whole hypothesis holding again.
  const healingFrom = Date.now()
  const rollbacks = await runRollbacks(drill, rec.ctx)
  const { after, recoveredAt } = await awaitRecovery(
    target,
    token,
    workload,
    healingFrom + drill.recoverWithinMs
  )
  const probeFailure = await detection.stop(rec.injectAt())
  rec.note(
    recoveredAt ? 'the steady state holds again' : 'the steady state did NOT come back in time'
  )
  await workload.stopTraffic()
  rec.note('traffic stopped; checking every acknowledged recording')
  const tally = await verifyRecordings(target, token, workload.records, SETTLE_MS)

  const seen = [probeFailure, workload.firstFailureAfter(rec.injectAt())].filter(
    (t): t is number => t !== undefined
  )
  const detectAt = seen.length ? Math.min(...seen) : undefined
  const unclean = [...workload.reads.unclean, ...workload.records.flatMap((r) => r.unclean)]
  const v = verdict({
    before,
    after,
    duringFault: rec.duringFault,
    recovered: recoveredAt !== undefined,
    tally,
    unclean: tally.unclean + workload.reads.unclean.length,
    rollbacks,
    ...(methodError ? { methodError } : {}),
  })
  return finish({
    status: v.status,
    reason: v.reason,
    before,
    after,
    detectMs: detectAt === undefined ? null : Math.max(0, detectAt - rec.injectAt()),
    recoverMs: recoveredAt === undefined ? null : recoveredAt - healingFrom,
    tally,
    rollbacks,
    probes: v.probes,
    unclean,
  })
}
