// make swarm-rollback: Swarm puts each named service back on its previous spec (image, settings),
// one task at a time with the new one started first (rollback_config), then converge waits.
import { defineStep } from '../../lib/pipeline.ts'
import type { SwarmContext } from './context.ts'
import { managerNow } from './deploy.ts'

export const rollback = defineStep<SwarmContext>({
  name: (c) => `roll back ${c.rollBack.join(', ')}`,
  changes: true,
  plan: (c) => c.rollBack.map((s) => `docker service rollback --detach ${c.stack}_${s}`).join('; '),
  run: async (c) => {
    c.startedAt = await managerNow()
    for (const s of c.rollBack)
      await c.runQuiet`docker service rollback --detach ${`${c.stack}_${s}`}`
    return `asked Swarm to roll back ${c.rollBack.length} service(s)`
  },
})
