#!/usr/bin/env -S npx tsx
// What the Swarm runs: nodes, the stack's services and their updates, recent task failures.
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv } from './lib/env.ts'
import { runScript } from './lib/main.ts'
import { createSwarmContext } from './steps/swarm/context.ts'
import { runSwarm, swarmStatusPipeline } from './steps/swarm/index.ts'

const USAGE = `
Usage: npx tsx ops/swarm-status.ts   (make swarm-status)

  Read-only, against the docker CLI's engine (a Swarm manager): every node (address, state,
  availability, role, which holds Postgres' and the object store's volumes), every service of
  SWARM_STACK (tasks running / wanted, image, last update), and recent failed tasks.
`

await runScript(async () => {
  const env = await loadOpsEnv()
  parseArgs({ usage: USAGE, shape: {} })
  await runSwarm(swarmStatusPipeline, createSwarmContext({ env, dryRun: false }))
})
