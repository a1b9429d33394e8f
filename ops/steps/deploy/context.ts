// What one deploy or rollback knows: what it was asked to do, and what each step found or did
// for the next (and for the cleanup steps that run after a failure).
import type { HistoryEntry } from '../../lib/history.ts'
import type { PipelineContext } from '../../lib/pipeline.ts'
import type { Target } from '../../lib/target.ts'
import type { ReleaseOptions } from './options.ts'
import type { ApiContainer } from './stack.ts'

export type ReleaseContext = PipelineContext & {
  o: ReleaseOptions
  startedAt: number
  // Found by the checks and the preflight steps, in order.
  /** The env file's settings (secrets, the smoke account). */
  settings?: Map<string, string>
  target?: Target
  /** The api container serving now, and the edge in front of it. */
  current?: ApiContainer
  edge?: string
  /** An image the target has, for the small helper commands (history, free disk). */
  helper?: string
  history: HistoryEntry[]
  freeMB?: number
  /** The release going live. */
  version?: string
  smoke?: { email: string; password: string }
  /** From here on a failure is recorded in the history on the target. */
  recording: boolean
  // The rollout's state, which the rollback after a failure undoes.
  /** The edge points at the live api by container name (the alias soon names both). */
  pinned: boolean
  /** The new api container, once compose started it. */
  fresh?: string
  /** The edge sends traffic to the new api. */
  switched: boolean
  /** The new release passed its gate: from here on it stays, whatever the drain does. */
  live: boolean
  rolledBack: boolean
}

export function createReleaseContext(o: ReleaseOptions): ReleaseContext {
  return {
    dryRun: o.dryRun,
    o,
    startedAt: performance.now(),
    history: [],
    recording: false,
    pinned: false,
    switched: false,
    live: false,
    rolledBack: false,
  }
}

/** Set by the steps before the ones that use them: a missing one is a bug in the pipeline. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`deploy pipeline: ${what} is not known yet`)
  return value
}
