// The one way an ops script runs its work (STYLE 13): a pipeline of small named steps over a
// context. The runner owns the lock, the dry run, the timings and progress lines (through
// step()), and the cleanup steps that always run. A dry run prints the plan from the same steps
// that run: checks that only read run for real, steps that change something print what they
// would do. The summary line and the error format belong to runScript (ops/lib/main.ts).
import { echo, sleep } from 'zx'
import { StopError } from './errors.ts'
import { describeLock, takeLock } from './lock.ts'
import type { HeldLock, LockSpec } from './lock.ts'
import { detail, step } from './step.ts'

/** What every pipeline context carries; a script adds its own fields (flags, env, state). */
export type PipelineContext = {
  dryRun: boolean
  /** Set by the runner before the `always` steps when a step failed: what went wrong. */
  failure?: unknown
}

export type Step<C extends PipelineContext> = {
  /** Shown before and after it runs: `→ name…`, `✓ name (1.2 s): note`. */
  name: string | ((ctx: C) => string)
  /**
   * Whether it changes anything (files, containers, repositories). Steps that only read run in
   * a dry run too, so the plan they lead to is the real one.
   */
  changes: boolean
  /**
   * Runs in a dry run too because it honours `ctx.dryRun` itself and shows what it would change
   * (restic's own `forget --dry-run`, say).
   */
  previews?: boolean
  /** One line saying what it would do, printed in a dry run; defaults to its name. */
  plan?: (ctx: C) => string
  /** A reason to leave it out this time (`nothing due`), printed, or false to run it. */
  skip?: (ctx: C) => string | false
  /**
   * Whether the step belongs to this run at all (a build only when one is asked for, a
   * rollback only after a failure); left out silently, in the plan too. Defaults to true.
   */
  when?: (ctx: C) => boolean
  /**
   * For idempotent work that crosses a network (a download, a read over ssh): how many times a
   * failure is tried again, with a growing pause. An expected stop (StopError) is never retried.
   */
  retries?: number
  /** The work; may return a short note of what it found or did. */
  run: (ctx: C) => Promise<string | void>
}

export type Pipeline<C extends PipelineContext> = {
  /** The script's name, used for the lock's holder and the dry-run heading. */
  name: string
  /**
   * Read-only steps that run before the lock is taken: what the lock needs to know (the target
   * engine answers, the stack runs there) and what refuses a run before it waits on anyone.
   */
  checks?: Step<C>[]
  /**
   * The lock(s) held for the rest of the run, taken in order (not in a dry run, which names the
   * holder instead): a second run stops with one line naming the holder.
   */
  lock?: (ctx: C) => LockSpec | LockSpec[] | undefined
  steps: Step<C>[]
  /** Run after the steps whatever happened (cleanup, releasing resources), in order. */
  always?: Step<C>[]
  /**
   * For pipelines of checks: an expected stop (StopError) in one step is printed and the next
   * step runs, so one run shows everything to fix; the run then fails naming every failed step.
   */
  keepGoing?: boolean
}

/** Declares a step with its context type inferred at the use site. */
export const defineStep = <C extends PipelineContext>(s: Step<C>): Step<C> => s

const nameOf = <C extends PipelineContext>(s: Step<C>, ctx: C): string =>
  typeof s.name === 'function' ? s.name(ctx) : s.name

/** The line a dry run prints for a step that changes something. */
export const planOf = <C extends PipelineContext>(s: Step<C>, ctx: C): string =>
  s.plan?.(ctx) ?? nameOf(s, ctx)

async function runStep<C extends PipelineContext>(s: Step<C>, ctx: C): Promise<void> {
  if (s.when && !s.when(ctx)) return
  const name = nameOf(s, ctx)
  const why = s.skip?.(ctx)
  if (why) {
    echo(`- ${name}: skipped, ${why}`)
    return
  }
  if (ctx.dryRun && s.changes && !s.previews) {
    echo(`· would ${planOf(s, ctx)}`)
    return
  }
  await step(name, () => withRetries(s.retries ?? 0, () => s.run(ctx)))
}

/** Runs `work`, trying again up to `retries` times after 2, 4, 8… s unless it stopped on purpose. */
export async function withRetries<T>(
  retries: number,
  work: () => Promise<T>,
  pause = (attempt: number) => 2000 * 2 ** attempt
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work()
    } catch (err) {
      if (err instanceof StopError || attempt >= retries) throw err
      const ms = pause(attempt)
      detail(
        `failed (${String(err).split('\n')[0]!.slice(0, 160)}); trying again in ${ms / 1000} s`
      )
      await sleep(ms)
    }
  }
}

/**
 * Runs the steps in order, stopping at the first failure; `always` steps run afterwards in
 * every case (a failure among them is reported, the first error wins).
 */
export async function runPipeline<C extends PipelineContext>(
  p: Pipeline<C>,
  ctx: C
): Promise<void> {
  if (ctx.dryRun) echo(`dry run of ${p.name}: nothing is changed`)
  const locks: HeldLock[] = []
  let failure: unknown
  try {
    for (const s of p.checks ?? []) await runStep(s, ctx)
    const wanted = p.lock?.(ctx)
    for (const spec of wanted === undefined ? [] : [wanted].flat()) {
      if (ctx.dryRun) {
        const holder = await describeLock(spec)
        echo(`· would take the lock ${holder ? `(held now by ${holder})` : '(free now)'}`)
        continue
      }
      await step('lock', async () => {
        const lock = await takeLock(spec)
        locks.push(lock)
        return lock.name
      })
    }
    const failed: string[] = []
    for (const s of p.steps) {
      try {
        await runStep(s, ctx)
      } catch (err) {
        if (!p.keepGoing || !(err instanceof StopError)) throw err
        detail(`${err.message}\n    → ${err.hint}`)
        failed.push(nameOf(s, ctx))
      }
    }
    if (failed.length)
      throw new StopError(`${failed.length} check(s) failed: ${failed.join(', ')}`, 'see above')
  } catch (err) {
    failure = err
    ctx.failure = err
  }
  for (const s of p.always ?? []) {
    try {
      await runStep(s, ctx)
    } catch (err) {
      if (failure === undefined) failure = err
      else detail(`${nameOf(s, ctx)} also failed: ${String(err).split('\n')[0]}`)
    }
  }
  for (const lock of locks.reverse()) await lock.release()
  if (failure !== undefined) throw failure
}
