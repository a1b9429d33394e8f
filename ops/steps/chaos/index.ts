// make chaos, as a pipeline: the drill tools, the stack (scratch or the operator's), the drills,
// the verdict; a scratch stack is removed whatever happens.
import { runPipeline } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import { fromRoot } from '../../lib/paths.ts'
import type { ChaosContext } from './context.ts'
import { drills, verdict } from './drills.ts'
import { existing, scratch, stopScratch, tools } from './stack.ts'

export const chaosPipeline: Pipeline<ChaosContext> = {
  name: 'chaos',
  // Two runs on one stack would inject faults into each other's drills.
  lock: (c) =>
    c.project
      ? {
          file: fromRoot('build', 'chaos', `${c.project}.lock`),
          holder: `chaos drills on ${c.project}`,
        }
      : undefined,
  steps: [tools, scratch, existing, drills, verdict],
  always: [stopScratch],
}

export const runChaos = (ctx: ChaosContext) => runPipeline(chaosPipeline, ctx)
