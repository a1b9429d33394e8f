// One deploy or rollback, start to end: preflight (with the lock), the image, the rolling
// replacement with its health gate, then the record: history on the target, API_TAG in the env
// file (so `make up` keeps this release), and old release images pruned.
import { $, echo } from 'zx'
import { setEnvValue } from '../../lib/env-file.ts'
import { StopError } from '../../lib/errors.ts'
import type { HistoryEntry } from '../../lib/history.ts'
import { imageRef } from '../../lib/images.ts'
import { buildPlan, releasesToPrune } from '../../lib/release.ts'
import { detail, step } from '../../lib/step.ts'
import { appendHistory } from '../../lib/target-state.ts'
import { buildRelease, ensureOnTarget } from './images.ts'
import type { ReleaseOptions } from './options.ts'
import { preflight } from './preflight.ts'
import type { Preflight } from './preflight.ts'
import { RolledBack, rollOut } from './rollout.ts'

export async function runRelease(o: ReleaseOptions): Promise<void> {
  const startedAt = performance.now()
  let p: Preflight | undefined
  await step('preflight', async () => {
    p = await preflight(o)
    return `${o.kind} ${p.current.version} → ${p.version} on ${p.target.label}`
  })
  const pf = p!
  if (o.dryRun) {
    const plan = buildPlan({
      kind: o.kind,
      version: pf.version,
      current: pf.current.version,
      build: o.build,
      transfer: o.transfer,
      remote: pf.target.remote,
      healthTimeoutS: o.healthTimeoutS,
      watchS: o.watchS,
      maxErrorRate: o.maxErrorRate,
      keep: o.keep,
    })
    echo(`dry run: the ${o.kind} would\n${plan.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}`)
    return
  }

  const record = async (result: HistoryEntry['result'], reason?: string) => {
    const entry: HistoryEntry = {
      kind: o.kind,
      version: pf.version,
      previous: pf.current.version,
      result,
      ...(reason ? { reason } : {}),
      who: pf.who,
      at: new Date().toISOString(),
      seconds: Math.round((performance.now() - startedAt) / 100) / 10,
    }
    await appendHistory(o.project, pf.helper, entry).catch((err: unknown) =>
      detail(`could not record the history: ${String(err).slice(0, 200)}`)
    )
    return entry
  }

  try {
    if (o.build) await step(`build ${pf.version}`, () => buildRelease(pf.version))
    await step('image on the target', () => ensureOnTarget(o, pf.target, pf.version))
    // Written as soon as the release is live, so a later `make up` keeps it even if the drain
    // of the old one fails.
    await rollOut(o, pf, () => setEnvValue(o.envFile, 'API_TAG', pf.version))
    await step('record', async () => {
      const entry = await record('ok')
      return `history: ${entry.kind} ${entry.version} ok in ${entry.seconds} s; API_TAG=${pf.version} in ${o.envFile}`
    })
    await step(`keep ${o.keep} releases`, () => prune(o, pf))
  } catch (err) {
    const rolledBack = err instanceof RolledBack
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300)
    await record(rolledBack ? 'rolled-back' : 'failed', reason)
    if (rolledBack)
      throw new StopError(
        `${o.kind} of ${pf.version} rolled back to ${pf.current.version}: ${reason}`,
        'the previous release serves; see `make logs ARGS=api` and RUNBOOK.md#when-a-deploy-rolls-back'
      )
    throw err
  } finally {
    await pf.release()
  }
}

async function prune(o: ReleaseOptions, p: Preflight): Promise<string> {
  const history: HistoryEntry[] = [
    ...p.history,
    {
      kind: o.kind,
      version: p.version,
      previous: p.current.version,
      result: 'ok',
      who: p.who,
      at: new Date().toISOString(),
      seconds: 0,
    },
  ]
  const old = releasesToPrune(history, p.version, o.keep)
  const removed: string[] = []
  for (const v of old) {
    // Only untags; an image still used by a container stays (docker refuses), which is fine.
    const out = await $({ quiet: true, nothrow: true })`docker image rm ${imageRef('api', v)}`
    if (out.ok) removed.push(v)
  }
  return removed.length ? `removed ${removed.join(', ')}` : 'nothing to remove'
}
