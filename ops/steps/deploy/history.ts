// make deploy-history, as a pipeline of reads: the target, its history, and what runs there now.
import { readUpstream } from '../../lib/edge-upstream.ts'
import { formatHistory } from '../../lib/history.ts'
import type { HistoryEntry } from '../../lib/history.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { Pipeline, PipelineContext } from '../../lib/pipeline.ts'
import { describeStackLock } from '../../lib/stack-lock.ts'
import { selectTarget } from '../../lib/target.ts'
import type { Target } from '../../lib/target.ts'
import { helperImage, readTargetState } from '../../lib/target-state.ts'
import { apiContainers, edgeContainer } from './stack.ts'

export type HistoryContext = PipelineContext & {
  project: string
  context?: string | undefined
  limit: number
  json: boolean
  print: (line: string) => void
  target?: Target
  history?: HistoryEntry[]
}

const target = defineStep<HistoryContext>({
  name: 'target',
  changes: false,
  run: async (c) => {
    c.target = await selectTarget(c.context)
    return c.target.label
  },
})

const history = defineStep<HistoryContext>({
  name: 'history',
  changes: false,
  run: async (c) => {
    c.history = (await readTargetState(c.project, await helperImage(c.project))).history
    return `${c.history.length} entries`
  },
})

const show = defineStep<HistoryContext>({
  name: 'show',
  changes: false,
  run: async (c) => {
    const entries = c.history ?? []
    if (c.json) {
      for (const e of entries.slice(-c.limit)) c.print(JSON.stringify(e))
      return
    }
    const live = (await apiContainers(c.project)).filter((a) => a.running)
    const edge = await edgeContainer(c.project)
    const lock = await describeStackLock(c.project)
    c.print(`target: ${c.target?.label}, project ${c.project}`)
    c.print(`live: ${live.map((a) => `${a.version} (${a.name})`).join(', ') || 'no api running'}`)
    if (edge) c.print(`edge upstream: ${(await readUpstream(edge)) ?? 'unknown'}`)
    if (lock) c.print(`lock: held by ${lock}`)
    c.print('')
    c.print(formatHistory(entries, c.limit))
  },
})

export const historyPipeline: Pipeline<HistoryContext> = {
  name: 'deploy-history',
  steps: [target, history, show],
}
