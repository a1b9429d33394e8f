// make deploy and make rollback, as one pipeline: the checks, the stack lock, the preflight
// under it, the image, the rolling replacement with its health gate, then the record: history
// on the target, API_TAG in the env file (so `make up` keeps this release), and old release
// images pruned. After a failure the rollout is undone and the failure recorded.
import { $ } from 'zx'
import { StopError } from '../../lib/errors.ts'
import type { HistoryEntry } from '../../lib/history.ts'
import { imageRef } from '../../lib/images.ts'
import { defineStep, runPipeline } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import { releasesToPrune } from '../../lib/release.ts'
import { detail } from '../../lib/step.ts'
import { appendHistory } from '../../lib/target-state.ts'
import { whoAmI } from '../../lib/target.ts'
import { createReleaseContext, need } from './context.ts'
import type { ReleaseContext } from './context.ts'
import { build, imageOnTarget } from './images.ts'
import type { ReleaseOptions } from './options.ts'
import { settings, smokeAccount, stack, state, target, version } from './preflight.ts'
import {
  drain,
  gate,
  healthy,
  keepRelease,
  migrations,
  pin,
  rollBack,
  start,
  switchEdge,
} from './rollout.ts'

const entry = async (
  c: ReleaseContext,
  result: HistoryEntry['result'],
  reason?: string
): Promise<HistoryEntry> => ({
  kind: c.o.kind,
  version: need(c.version, 'the version'),
  previous: need(c.current, 'the live api').version,
  result,
  ...(reason ? { reason } : {}),
  who: await whoAmI(),
  at: new Date().toISOString(),
  seconds: Math.round((performance.now() - c.startedAt) / 100) / 10,
})

const record = async (c: ReleaseContext, e: HistoryEntry): Promise<void> =>
  appendHistory(c.o.project, need(c.helper, 'the helper image'), e).catch((err: unknown) =>
    detail(`could not record the history: ${String(err).slice(0, 200)}`)
  )

/** The first line of why a run failed, as the history and the last line say it. */
const reasonOf = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300)

export const recordSuccess = defineStep<ReleaseContext>({
  name: 'record',
  changes: true,
  plan: (c) => `record the ${c.o.kind} in the history on the target`,
  run: async (c) => {
    const e = await entry(c, 'ok')
    await record(c, e)
    return `history: ${e.kind} ${e.version} ok in ${e.seconds} s`
  },
})

export const recordFailure = defineStep<ReleaseContext>({
  name: 'record the failure',
  changes: true,
  when: (c) => c.failure !== undefined && c.recording,
  run: async (c) => {
    const e = await entry(c, c.rolledBack ? 'rolled-back' : 'failed', reasonOf(c.failure))
    await record(c, e)
    return `history: ${e.kind} ${e.version} ${e.result}`
  },
})

export const prune = defineStep<ReleaseContext>({
  name: (c) => `keep ${c.o.keep} releases`,
  changes: true,
  plan: (c) => `keep the last ${c.o.keep} releases' images, remove older ones`,
  run: async (c) => {
    const live = need(c.version, 'the version')
    const history: HistoryEntry[] = [...c.history, await entry(c, 'ok')]
    const removed: string[] = []
    for (const v of releasesToPrune(history, live, c.o.keep)) {
      // Only untags; an image still used by a container stays (docker refuses), which is fine.
      const out = await $({
        quiet: true,
        nothrow: true,
        timeout: '60s',
      })`docker image rm ${imageRef('api', v)}`
      if (out.ok) removed.push(v)
    }
    return removed.length ? `removed ${removed.join(', ')}` : 'nothing to remove'
  },
})

export const releasePipeline: Pipeline<ReleaseContext> = {
  name: 'release',
  checks: [settings, target],
  // The stack lock, before the stack is read: a restore holding it may have stopped the api. A
  // second deploy, a rollback or a restore started meanwhile stops naming this one.
  lock: (c) => ({ stack: c.o.project, holder: c.o.kind }),
  steps: [
    stack,
    state,
    version,
    smokeAccount,
    build,
    imageOnTarget,
    pin,
    start,
    healthy,
    migrations,
    switchEdge,
    gate,
    keepRelease,
    drain,
    recordSuccess,
    prune,
  ],
  always: [rollBack, recordFailure],
}

export async function runRelease(o: ReleaseOptions): Promise<void> {
  const ctx = createReleaseContext(o)
  try {
    await runPipeline({ ...releasePipeline, name: o.kind }, ctx)
  } catch (err) {
    if (!ctx.rolledBack) throw err
    throw new StopError(
      `${o.kind} of ${ctx.version} rolled back to ${ctx.current?.version}: ${reasonOf(err)}`,
      'the previous release serves; see `make logs ARGS=api` and RUNBOOK.md#when-a-deploy-rolls-back'
    )
  }
}
