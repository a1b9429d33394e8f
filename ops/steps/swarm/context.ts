// What one `make swarm-deploy` / `swarm-status` / `swarm-rollback` run knows: its settings, and
// what each step found for the next. Every docker command goes to the CLI's own engine
// (DOCKER_HOST or the current context), which must be a manager of the Swarm.
import { createHash } from 'node:crypto'
import { createContext } from '../../lib/context.ts'
import type { OpsContext } from '../../lib/context.ts'
import type { OpsEnv } from '../../lib/env.ts'
import { fromRoot } from '../../lib/paths.ts'
import type { SwarmSecret } from '../../lib/swarm-stack.ts'
import { dockerClient } from '../../lib/env.ts'

export type SwarmContext = OpsContext & {
  env: OpsEnv
  stack: string
  tag: string
  apiTag: string
  apiReplicas: number
  sttReplicas: number
  /** Services `swarm-rollback` rolls back. */
  rollBack: string[]
  // Filled in by the steps, in order.
  manager?: { nodeId: string; addr: string; hostname: string }
  registry?: string
  stackFile?: string
  secrets?: SwarmSecret[]
  /** Local image → the reference the nodes pull. */
  images?: Map<string, string>
  /** When this run's deploy or rollback began (the manager's clock), to read only its updates. */
  startedAt?: number
  /** What converge saw last, for the summary and the tests. */
  services?: ServiceState[]
}

export type ServiceState = {
  name: string
  image: string
  running: number
  desired: number
  update?: { state: string; message: string; startedAt: string }
}

/** Which engine the CLI talks to (DOCKER_HOST or the docker context), as a short id. */
const engineId = (): string => {
  const { host, context } = dockerClient()
  return createHash('sha256')
    .update(host ?? context ?? 'default')
    .digest('hex')
    .slice(0, 8)
}

/** Where a deploy writes the stack file: per stack and engine, as the lock. */
export const swarmDir = (stack: string): string =>
  fromRoot('build', 'swarm', `${stack}-${engineId()}`)

/**
 * One change at a time per stack on one Swarm: the lock is named after the stack and the engine,
 * so two Swarms never share one.
 */
export const lockFile = (stack: string): string =>
  fromRoot('build', 'swarm', `${stack}-${engineId()}.lock`)

export function createSwarmContext(o: {
  env: OpsEnv
  dryRun: boolean
  stack?: string
  tag?: string
  apiTag?: string
  apiReplicas?: number
  sttReplicas?: number
  rollBack?: string[]
}): SwarmContext {
  const tag = o.tag ?? o.env.SCRIBE_TAG
  return {
    ...createContext({ dryRun: o.dryRun }),
    env: o.env,
    stack: o.stack ?? o.env.SWARM_STACK,
    tag,
    apiTag: o.apiTag ?? tag,
    apiReplicas: o.apiReplicas ?? o.env.SWARM_API_REPLICAS,
    sttReplicas: o.sttReplicas ?? o.env.SWARM_STT_REPLICAS,
    rollBack: o.rollBack ?? ['api'],
  }
}
