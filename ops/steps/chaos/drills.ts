// The drills themselves, one after the other, each journal written to chaos/results/; then
// the table and the resilience score, and a stop when anything was lost or not restored.
import { echo } from 'zx'
import { RESULTS_DIR } from '../../../chaos/lib/journal.ts'
import { openSession, report } from '../../../chaos/lib/suite.ts'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { ChaosContext } from './context.ts'

export const drills = defineStep<ChaosContext>({
  name: (c) => `${c.drills.length} drill(s)`,
  changes: true,
  plan: (c) => `run ${c.drills.map((d) => d.name).join(', ')}`,
  run: async (c) => {
    const session = await openSession(c.stack!)
    for (const drill of c.drills) c.journals.push(await session.run(drill, (l) => echo(`  ${l}`)))
    return `${c.journals.filter((j) => j.status === 'passed').length} passed`
  },
})

export const verdict = defineStep<ChaosContext>({
  name: 'verdict',
  changes: false,
  skip: (c) => (c.journals.length ? false : 'no drill ran'),
  run: async (c) => {
    const r = report(c.journals)
    echo(`\n${r.text}\n`)
    if (!r.ok)
      throw new StopError(
        `chaos: ${r.lost} lost, ${r.duplicated} duplicated, score ${r.score}%`,
        `read the journals in ${RESULTS_DIR}/ (problems, timeline); see RUNBOOK.md#chaos-drills`
      )
    return `score ${r.score}%, nothing lost`
  },
})
