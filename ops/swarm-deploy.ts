#!/usr/bin/env -S npx tsx
// Deploys the stack on Docker Swarm from a stack file generated from the compose files. The
// steps live in ops/steps/swarm/.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv } from './lib/env.ts'
import { runScript } from './lib/main.ts'
import { createSwarmContext } from './steps/swarm/context.ts'
import { runSwarm, swarmDeployPipeline } from './steps/swarm/index.ts'

const USAGE = `
Usage: npx tsx ops/swarm-deploy.ts [--tag TAG] [--api-tag TAG] [--api-replicas N] [--stt-replicas N] [--dry-run]
                                                                                  (make swarm-deploy)
  Against the docker CLI's engine (DOCKER_HOST or the current context), a Swarm manager:
  1. labels the nodes that hold Postgres' and the object store's volumes (the manager at first);
  2. runs a registry on the manager (unless SWARM_REGISTRY names one) and pushes the images;
  3. writes build/swarm/<stack>-<engine id>/stack.json from the compose files (docker compose config);
  4. creates the Swarm secrets (database password and URL, JWT secret, S3 keys);
  5. docker stack deploy, then waits until every service runs healthy. A new api or stt that
     fails its health check is rolled back by Swarm itself, and this stops with the reason.

  --tag           the images' tag (default SCRIBE_TAG); --api-tag the api's (default --tag)
  --api-replicas  default SWARM_API_REPLICAS (2); --stt-replicas default SWARM_STT_REPLICAS (1)
  Settings (compose/.env or the environment): SWARM_STACK, SWARM_REGISTRY, SWARM_POSTGRES_NODE,
  SWARM_OBJECTS_NODE, S3_ENDPOINT/S3_BUCKET/S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY (an S3 server
  of yours instead of the stack's SeaweedFS), SWARM_COMPOSE_FILES, SWARM_WITHOUT.
  See RUNBOOK.md#docker-swarm.
`

const tag = z
  .string()
  .regex(/^[\w.-]+$/)
  .optional()
const replicas = z.coerce.number().int().min(1).max(50).optional()

await runScript(async () => {
  const env = await loadOpsEnv()
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    string: ['tag', 'api-tag', 'api-replicas', 'stt-replicas'],
    shape: {
      'dry-run': z.boolean().default(false),
      tag,
      'api-tag': tag,
      'api-replicas': replicas,
      'stt-replicas': replicas,
    },
  })
  const ctx = createSwarmContext({
    env,
    dryRun: flags['dry-run'],
    ...(flags.tag ? { tag: flags.tag } : {}),
    ...(flags['api-tag'] ? { apiTag: flags['api-tag'] } : {}),
    ...(flags['api-replicas'] ? { apiReplicas: flags['api-replicas'] } : {}),
    ...(flags['stt-replicas'] ? { sttReplicas: flags['stt-replicas'] } : {}),
  })
  await runSwarm(swarmDeployPipeline, ctx)
})
