// What the Swarm test and bench share: nodes with the images loaded, `make swarm-deploy` run as
// an operator would (against the manager's engine), the first account, a client through one
// node's edge, and reading which api task on which node did what.
import { randomBytes } from 'node:crypto'
import { bundleFakeProvider } from '../../chaos/lib/fake-provider-bundle.ts'
import { ensureCachedImage } from '../../ops/lib/cached-image.ts'
import { CERTS_DIR } from '../../ops/lib/compose.ts'
import { createContext } from '../../ops/lib/context.ts'
import { DEFAULT_TAG } from '../../ops/lib/images.ts'
import { ensureLocalCerts, localCertPaths } from '../../ops/lib/local-ca.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import { ensureSeaweedfsImage } from '../../ops/lib/seaweedfs-image.ts'
import { ops } from './ops-script.ts'
import type { Run } from './ops-script.ts'
import { connect } from './stack.ts'
import { startSwarmNodes } from './swarm-nodes.ts'
import type { SwarmNode, SwarmNodes } from './swarm-nodes.ts'

export const STACK = 'scribe'

export type SwarmStack = {
  nodes: SwarmNodes
  manager: SwarmNode
  tag: string
  /** Runs `ops/swarm-<script>.ts` against the manager with the stack's settings. */
  script: (
    name: 'deploy' | 'status' | 'rollback',
    args?: string[],
    env?: Record<string, string>
  ) => Promise<Run>
  /** Creates the first account (once the stack runs); email and password. */
  account: () => Promise<{ email: string; password: string }>
  /** A client through `node`'s edge. */
  client: (
    node: SwarmNode,
    account: { email: string; password: string }
  ) => ReturnType<typeof connect>
  /** The api containers running and healthy on `node` (its own engine). */
  apiContainers: (node: SwarmNode) => Promise<string[]>
  down: () => Promise<void>
}

/** Starts `count` nodes (the first one joined as a single-node Swarm) with the images loaded. */
export async function startSwarmStack(o: {
  count: number
  fakeDelayMs?: number
  env?: Record<string, string>
}): Promise<SwarmStack> {
  const tag = DEFAULT_TAG
  const ctx = createContext({ dryRun: false })
  const [bundle, objects, registry] = await Promise.all([
    bundleFakeProvider(),
    ensureSeaweedfsImage({ dryRun: false }),
    ensureCachedImage(ctx, 'registry'),
    ensureLocalCerts(CERTS_DIR, ['localhost']),
  ])
  const nodes = await startSwarmNodes(`scribe-swarm-${randomBytes(3).toString('hex')}`, o.count)
  try {
    const manager = nodes.nodes[0]!
    // Once, into the manager only: the others pull from the registry it runs.
    await nodes.load(manager, [
      ...['api', 'edge', 'postgres'].map((n) => `medic-scribe/${n}:${tag}`),
      objects,
      registry.ref,
    ])
    await nodes.join(manager, manager)
    const env = {
      DOCKER_HOST: manager.dockerHost,
      // Nothing from the work tree's compose/.env: every setting is here.
      SCRIBE_ENV_FILE: fromRoot('build', 'swarm', 'no-such.env'),
      SCRIBE_TAG: tag,
      SWARM_STACK: STACK,
      POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
      JWT_SECRET: randomBytes(24).toString('hex'),
      SWARM_COMPOSE_FILES: fromRoot('tests', 'stack', 'swarm', 'compose.swarm-test.yml'),
      FAKE_PROVIDER_BUNDLE: bundle,
      FAKE_STT_DELAY_MS: String(o.fakeDelayMs ?? 0),
      HTTP_PORT: '8080',
      HTTPS_PORT: '8443',
      SWARM_CONVERGE_SECONDS: '240',
      ...o.env,
    }
    const apiContainers = async (node: SwarmNode) =>
      (
        await node.docker(
          'ps',
          '--quiet',
          '--filter',
          `label=com.docker.swarm.service.name=${STACK}_api`,
          '--filter',
          'status=running',
          '--filter',
          'health=healthy'
        )
      )
        .split('\n')
        .filter(Boolean)
    return {
      nodes,
      manager,
      tag,
      script: (name, args = [], extra = {}) => ops(`swarm-${name}.ts`, args, { ...env, ...extra }),
      apiContainers,
      async account() {
        const email = 'clinician@example.org'
        const password = randomBytes(12).toString('base64url')
        // In whichever api task is up (with one replica it may be on any node).
        for (const node of nodes.nodes) {
          const [id] = await apiContainers(node).catch(() => [])
          if (!id) continue
          await node.docker(
            'exec',
            '-e',
            `USER_PASSWORD=${password}`,
            id,
            'node',
            '/app/user.js',
            'add',
            email
          )
          return { email, password }
        }
        throw new Error('no healthy api task on any node')
      },
      client: (node, account) =>
        connect({
          projectName: STACK,
          httpPort: 0,
          httpsPort: node.httpsPort,
          caCert: localCertPaths(CERTS_DIR).caCert,
          env: {},
          ...account,
        }),
      down: () => nodes.down(),
    }
  } catch (err) {
    await nodes.down()
    throw err
  }
}

/** How many `request` lines for `path` each api container on `node` logged. */
export async function requestsPerContainer(
  node: SwarmNode,
  containers: string[],
  path: string
): Promise<number[]> {
  return Promise.all(
    containers.map(async (id) => {
      const logs = await node.docker('logs', id).catch(() => '')
      return logs
        .split('\n')
        .filter((l) => l.includes('"msg":"request"') && l.includes(`"path":"${path}"`)).length
    })
  )
}

/** The recording ids whose `job ran` line (of `stage`) is in the logs of the api tasks on `node`. */
export async function jobsRanOn(
  node: SwarmNode,
  containers: string[],
  stage = 'transcribe'
): Promise<Set<string>> {
  const ids = new Set<string>()
  for (const id of containers) {
    const logs = await node.docker('logs', id).catch(() => '')
    for (const line of logs.split('\n')) {
      if (!line.includes('"msg":"job ran"')) continue
      const entry = JSON.parse(line.slice(line.indexOf('{'))) as {
        recording_id: string
        stage: string
      }
      if (entry.stage === stage) ids.add(entry.recording_id)
    }
  }
  return ids
}
