// Runs one drill: steady state → workload → inject → observe → rollbacks (always) → the
// hypothesis again within its time → every acknowledged recording checked → the journal.
import type { Drill, DrillContext } from './drill.ts'
import type { Journal } from './journal.ts'
import type { ProbeResult } from './probes.ts'
import { quickProbes, steadyState } from './probes.ts'
import type { Target } from './target.ts'
import type { UploadRecord } from './upload.ts'
import { verifyRecordings } from './verify.ts'
import { createWorkload } from './workload.ts'

/** "202", "507 INSUFFICIENT_STORAGE", "connection: …": how often each answer came. */
function tallyAnswers(records: UploadRecord[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const a of records.flatMap((r) => r.attempts)) {
    const key = a.error
      ? `connection: ${a.error.replace(/^\w*Error: /, '').slice(0, 60)}`
      : `${a.status}${a.code ? ` ${a.code}` : ''}`
    out[key] = (out[key] ?? 0) + 1
  }
  return out
}

export type Capabilities = { overlay: boolean; root: boolean }

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
  const timeline: Journal['timeline'] = []
  const note = (what: string) => {
    timeline.push({ atMs: Date.now() - started, what })
    log(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${what}`)
  }
  const duringFault: Journal['duringFault'] = []
  // When the fault is in: the method's start, unless the drill marks it (after its set-up).
  let injectAt = Date.now()
  const workload = createWorkload(target, token, audio)
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
  const base = {
    drill: drill.name,
    title: drill.title,
    hypothesis: drill.hypothesis,
    fault: drill.fault,
    startedAt: new Date(started).toISOString(),
    recoverWithinMs: drill.recoverWithinMs,
  }
  const missing = (drill.needs ?? []).filter((n) => (n === 'root' ? !can.root : !can.overlay))
  if (missing.length > 0) {
    return finish({ status: 'skipped', reason: `needs ${missing.join(', ')}` })
  }

  note('steady state before')
  const before = await steadyState(target, token, workload)
  if (!before.every((p) => p.ok)) {
    return finish({
      status: 'aborted',
      reason: 'the steady state did not hold before the fault',
      before,
    })
  }

  if (drill.workload !== false) workload.startTraffic()
  await sleep(1_500)
  injectAt = Date.now()
  let monitoring = true
  const probeFailures: number[] = []
  const monitor = (async () => {
    while (monitoring) {
      const r = await quickProbes(target)
      const noticed = drill.detect ? await drill.detect(ctx).catch(() => false) : false
      // When it was seen, not when the probe started: detection includes the probe's own wait.
      if (noticed || r.some((p) => !p.ok)) probeFailures.push(Date.now())
      await sleep(1_000)
    }
  })()

  note(`inject: ${drill.fault}`)
  let methodError: string | undefined
  const rollbacks: Journal['rollbacks'] = []
  // Recovery is timed from the moment the fault starts being removed (an api's restart
  // included), to the whole hypothesis holding again.
  let healingFrom = Date.now()
  try {
    await drill.method(ctx)
  } catch (err) {
    methodError = String(err)
    note(`the method failed: ${methodError}`)
  } finally {
    healingFrom = Date.now()
    for (const rb of drill.rollbacks) {
      try {
        await rb.run(ctx)
        rollbacks.push({ name: rb.name, ok: true })
        note(`rollback: ${rb.name}`)
      } catch (err) {
        rollbacks.push({ name: rb.name, ok: false, error: String(err) })
        note(`rollback FAILED: ${rb.name}: ${String(err)}`)
      }
    }
  }

  let after: ProbeResult[] = []
  let recoveredAt: number | undefined
  while (Date.now() < healingFrom + drill.recoverWithinMs) {
    const quick = await quickProbes(target)
    if (quick.every((p) => p.ok)) {
      after = await steadyState(target, token, workload)
      if (after.every((p) => p.ok)) {
        recoveredAt = Date.now()
        break
      }
    } else after = quick
    await sleep(500)
  }
  monitoring = false
  await monitor
  note(recoveredAt ? 'the steady state holds again' : 'the steady state did NOT come back in time')
  await workload.stopTraffic()
  note('traffic stopped; checking every acknowledged recording')
  const tally = await verifyRecordings(target, token, workload.records, SETTLE_MS)
  const firstFailure = [
    probeFailures.find((t) => t >= injectAt),
    workload.firstFailureAfter(injectAt),
  ].filter((t): t is number => t !== undefined)
  const detectAt = firstFailure.length ? Math.min(...firstFailure) : undefined
  const unclean = tally.unclean + workload.reads.unclean.length
  const probes = [
    ...before.map((p) => ({ name: `before: ${p.name}`, weight: 1, ok: p.ok })),
    ...after.map((p) => ({ name: `after: ${p.name}`, weight: 1, ok: p.ok })),
    ...duringFault.map((d) => ({ name: `during: ${d.what}`, weight: 1, ok: d.ok })),
    { name: 'the hypothesis holds again in time', weight: 2, ok: recoveredAt !== undefined },
    { name: 'no acknowledged recording lost', weight: 3, ok: tally.lost === 0 },
    { name: 'no recording duplicated', weight: 3, ok: tally.duplicated === 0 },
    { name: 'every refusal clean (JSON error)', weight: 1, ok: unclean === 0 },
    { name: 'every rollback ran', weight: 1, ok: rollbacks.every((r) => r.ok) },
  ]
  const passed = probes.every((p) => p.ok) && !methodError
  const reason = passed
    ? undefined
    : [
        methodError && `method: ${methodError}`,
        ...probes.filter((p) => !p.ok).map((p) => `failed: ${p.name}`),
        ...tally.problems.slice(0, 5),
      ]
        .filter(Boolean)
        .join('; ')
  return finish({
    status: passed ? 'passed' : 'failed',
    ...(reason ? { reason } : {}),
    before,
    after,
    detectMs: detectAt === undefined ? null : Math.max(0, detectAt - injectAt),
    recoverMs: recoveredAt === undefined ? null : recoveredAt - healingFrom,
    tally,
    rollbacks,
    probes,
    unclean: [...workload.reads.unclean, ...workload.records.flatMap((r) => r.unclean)],
  })

  function finish(r: {
    status: Journal['status']
    reason?: string
    before?: ProbeResult[]
    after?: ProbeResult[]
    detectMs?: number | null
    recoverMs?: number | null
    tally?: Awaited<ReturnType<typeof verifyRecordings>>
    rollbacks?: Journal['rollbacks']
    probes?: Journal['probes']
    unclean?: string[]
  }): Journal {
    const { problems = [], ...uploads } = r.tally ?? {
      attempted: 0,
      acknowledged: 0,
      completed: 0,
      lost: 0,
      duplicated: 0,
      refused: 0,
      gaveUp: 0,
      unclean: 0,
    }
    const ended = Date.now()
    return {
      ...base,
      status: r.status,
      ...(r.reason ? { reason: r.reason } : {}),
      endedAt: new Date(ended).toISOString(),
      durationMs: ended - started,
      steadyStateBefore: r.before ?? [],
      steadyStateAfter: r.after ?? [],
      duringFault,
      timeline,
      timeToDetectMs: r.detectMs ?? null,
      timeToRecoverMs: r.recoverMs ?? null,
      recovered: r.recoverMs !== undefined && r.recoverMs !== null,
      uploads,
      problems: [...problems, ...(r.unclean ?? []).map((u) => `unclean answer: ${u}`)],
      answers: tallyAnswers(workload.records),
      reads: workload.reads,
      websocket: { noteReadySeen: workload.noteReady.size, reconnects: workload.socketReconnects },
      rollbacks: r.rollbacks ?? [],
      probes:
        r.probes ??
        (r.before ?? []).map((p) => ({ name: `before: ${p.name}`, weight: 1, ok: p.ok })),
    }
  }
}
