#!/usr/bin/env -S npx tsx
// Puts the Swarm stack's api (or the named services) back on its previous release.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv } from './lib/env.ts'
import { runScript } from './lib/main.ts'
import { createSwarmContext } from './steps/swarm/context.ts'
import { runSwarm, swarmRollbackPipeline } from './steps/swarm/index.ts'

const USAGE = `
Usage: npx tsx ops/swarm-rollback.ts [--service api,stt] [--dry-run]   (make swarm-rollback)

  docker service rollback for each service (default api): Swarm restores the spec it ran before
  the last update (image and settings), one task at a time, new task first; then waits until
  every service runs healthy. Swarm keeps one previous spec: a second rollback undoes the first.
`

await runScript(async () => {
  const env = await loadOpsEnv()
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    string: ['service'],
    shape: {
      'dry-run': z.boolean().default(false),
      service: z
        .string()
        .regex(/^(api|stt|edge)(,(api|stt|edge))*$/, 'api, stt or edge, comma-separated')
        .default('api'),
    },
  })
  await runSwarm(
    swarmRollbackPipeline,
    createSwarmContext({ env, dryRun: flags['dry-run'], rollBack: flags.service.split(',') })
  )
})
