// The three Swarm scripts as pipelines over one context (ops/steps/swarm/context.ts):
// swarm-deploy: manager, placement labels, registry, stack file, images, secrets, deploy, converge;
// swarm-status: manager, nodes, services, failures (read-only);
// swarm-rollback: manager, rollback, converge.
import { runPipeline } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import { lockFile } from './context.ts'
import type { SwarmContext } from './context.ts'
import { converge } from './converge.ts'
import { deploy } from './deploy.ts'
import { images } from './images.ts'
import { labels } from './labels.ts'
import { manager } from './manager.ts'
import { registry } from './registry.ts'
import { rollback } from './rollback.ts'
import { secrets } from './secrets.ts'
import { stackFile } from './stack-file.ts'
import { failedTasks, nodes, services } from './status.ts'

const lock = (c: SwarmContext) => ({
  file: lockFile(c.stack),
  holder: `swarm change of ${c.stack}`,
})

export const swarmDeployPipeline: Pipeline<SwarmContext> = {
  name: 'swarm-deploy',
  lock,
  steps: [manager, labels, registry, stackFile, images, secrets, deploy, converge],
}

export const swarmStatusPipeline: Pipeline<SwarmContext> = {
  name: 'swarm-status',
  steps: [manager, nodes, services, failedTasks],
}

export const swarmRollbackPipeline: Pipeline<SwarmContext> = {
  name: 'swarm-rollback',
  lock,
  steps: [manager, rollback, converge],
}

export const runSwarm = (p: Pipeline<SwarmContext>, c: SwarmContext): Promise<void> =>
  runPipeline(p, c)
