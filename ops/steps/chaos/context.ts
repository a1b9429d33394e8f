import type { Drill } from '../../../chaos/lib/drill.ts'
import type { Journal } from '../../../chaos/lib/journal.ts'
import type { StackInfo } from '../../../tests/stack/stack.ts'
import type { OpsEnv } from '../../lib/env.ts'
import type { PipelineContext } from '../../lib/pipeline.ts'

export type ChaosContext = PipelineContext & {
  env: OpsEnv
  drills: Drill[]
  /** A running stack to drill (the operator's); unset: a scratch stack with the chaos overlay. */
  project: string | undefined
  /** Keep the scratch stack running afterwards, described in this file (and reuse it next time). */
  reuse: string | undefined
  stack?: StackInfo
  stopStack?: () => Promise<void>
  journals: Journal[]
}
