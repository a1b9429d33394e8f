// Postgres and the stack's object store keep their data in local volumes: each runs only on the
// node labelled to hold that volume. A label already set is kept (moving the data is a restore,
// RUNBOOK.md#docker-swarm); the first deploy labels SWARM_POSTGRES_NODE (default the manager).
import { $ } from 'zx'
import { defineStep } from '../../lib/pipeline.ts'
import { OBJECTS_LABEL, POSTGRES_LABEL } from '../../lib/swarm-stack.ts'
import type { SwarmContext } from './context.ts'

const labelled = async (label: string): Promise<string[]> =>
  (
    await $({
      quiet: true,
      timeout: '20s',
    })`docker node ls --filter ${`node.label=${label}=true`} --format ${'{{.Hostname}}'}`
  ).stdout
    .split('\n')
    .filter(Boolean)

const wanted = (c: SwarmContext): [string, string][] => [
  [POSTGRES_LABEL, c.env.SWARM_POSTGRES_NODE ?? c.manager!.hostname],
  ...(c.env.S3_ENDPOINT
    ? []
    : ([[OBJECTS_LABEL, c.env.SWARM_OBJECTS_NODE ?? c.manager!.hostname]] as [string, string][])),
]

export const labels = defineStep<SwarmContext>({
  name: 'volume placement labels',
  changes: true,
  previews: true,
  run: async (c) => {
    const notes: string[] = []
    for (const [label, node] of wanted(c)) {
      const now = await labelled(label)
      if (now.length) {
        notes.push(`${label} on ${now.join(', ')}`)
        continue
      }
      await c.runQuiet`docker node update --label-add ${`${label}=true`} ${node}`
      notes.push(`${label} ${c.dryRun ? 'would be set' : 'set'} on ${node}`)
    }
    return notes.join('; ')
  },
})
