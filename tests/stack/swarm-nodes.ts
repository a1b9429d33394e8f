// Docker engines in containers (docker-in-docker, Debian's docker.io: tests/stack/swarm-node) on a
// network of the suite's own, each with its own address, joined into one Swarm. The host's
// docker CLI drives each engine through its socket, written into a folder the test mounts.
// This machine's engine refuses --privileged (it lacks CAP_SYS_RESOURCE itself), so a node gets
// every other capability, no seccomp or AppArmor profile, every device, and the host's cgroups.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ensureCachedImage } from '../../ops/lib/cached-image.ts'
import { createContext } from '../../ops/lib/context.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import { until } from './stack.ts'

const exec = promisify(execFile)
const run = async (args: string[], env: Record<string, string> = {}) =>
  (
    await exec('docker', args, {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 600_000,
      env: { ...process.env, ...env },
    })
  ).stdout.trim()

export type SwarmNode = {
  name: string
  /** Its address on the suite's network (the Swarm's advertise address). */
  ip: string
  /** DOCKER_HOST for this node's engine. */
  dockerHost: string
  /** The host port (127.0.0.1) mapped to the node's 8443, where the stack's edge listens. */
  httpsPort: number
  docker: (...args: string[]) => Promise<string>
}

export type SwarmNodes = {
  network: string
  subnet: string
  nodes: SwarmNode[]
  /** Starts one more node (not yet in the Swarm). */
  add: () => Promise<SwarmNode>
  /** Loads images into a node from the host's engine, in one save/load. */
  load: (node: SwarmNode, refs: string[]) => Promise<void>
  /** Makes the first node a manager and joins the others as workers. */
  join: (node: SwarmNode, manager: SwarmNode) => Promise<void>
  /** Kills a node outright (its engine and every task on it). */
  kill: (node: SwarmNode) => Promise<void>
  /** Removes every node, its volume and the network. */
  down: () => Promise<void>
}

export async function startSwarmNodes(prefix: string, count: number): Promise<SwarmNodes> {
  const image = await ensureCachedImage(
    createContext({ dryRun: false }),
    'swarm-node',
    fromRoot('tests', 'stack', 'swarm-node')
  )
  const network = `${prefix}-net`
  await run(['network', 'create', '--label', `org.medic-scribe.test=${prefix}`, network])
  const subnet = await run([
    'network',
    'inspect',
    '--format',
    '{{(index .IPAM.Config 0).Subnet}}',
    network,
  ])
  const nodes: SwarmNode[] = []
  const dirs: string[] = []
  const names: string[] = []

  async function add(): Promise<SwarmNode> {
    const name = `${prefix}-n${names.length + 1}`
    names.push(name)
    const dir = await mkdtemp(join(tmpdir(), `${name}-`))
    dirs.push(dir)
    await run([
      'run',
      '--detach',
      '--name',
      name,
      '--hostname',
      name,
      '--network',
      network,
      '--cap-add',
      'ALL',
      '--cap-drop',
      'SYS_RESOURCE',
      '--security-opt',
      'seccomp=unconfined',
      '--security-opt',
      'apparmor=unconfined',
      '--security-opt',
      'systempaths=unconfined',
      '--device-cgroup-rule',
      'a *:* rwm',
      '--volume',
      '/sys/fs/cgroup:/sys/fs/cgroup:rw',
      '--volume',
      `${dir}:/run/node`,
      '--publish',
      '127.0.0.1::8443',
      '--env',
      `INSECURE_REGISTRY=${subnet}`,
      '--env',
      `CGROUP_PARENT=/${name}`,
      image.ref,
    ])
    const ip = await run([
      'inspect',
      '--format',
      `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`,
      name,
    ])
    const port = await run(['port', name, '8443/tcp'])
    const dockerHost = `unix://${dir}/docker.sock`
    const node: SwarmNode = {
      name,
      ip,
      dockerHost,
      httpsPort: Number(port.split('\n')[0]!.split(':').at(-1)),
      docker: (...args) => run(args, { DOCKER_HOST: dockerHost }),
    }
    await until(
      `${name}'s engine`,
      () => node.docker('info', '--format', '{{.ServerVersion}}').catch(() => undefined),
      60_000
    )
    nodes.push(node)
    return node
  }

  const result: SwarmNodes = {
    network,
    subnet,
    nodes,
    add,
    async load(node, refs) {
      await exec(
        'sh',
        ['-c', 'docker save "$@" | DOCKER_HOST="$TARGET" docker load -q', 'load', ...refs],
        { env: { ...process.env, TARGET: node.dockerHost }, timeout: 600_000 }
      )
    },
    async join(node, manager) {
      const state = await manager.docker('info', '--format', '{{.Swarm.LocalNodeState}}')
      if (state !== 'active') await manager.docker('swarm', 'init', '--advertise-addr', manager.ip)
      if (node === manager) return
      const token = await manager.docker('swarm', 'join-token', '-q', 'worker')
      await node.docker('swarm', 'join', '--token', token, `${manager.ip}:2377`)
    },
    async kill(node) {
      await run(['kill', node.name])
    },
    async down() {
      await Promise.all(names.map((n) => run(['rm', '--force', '--volumes', n]).catch(() => {})))
      await run(['network', 'rm', network]).catch(() => {})
      // The empty cgroups the nodes' tasks left in the host's tree.
      await exec('sh', [
        '-c',
        'for n; do find /sys/fs/cgroup/*/"$n" -depth -type d -exec rmdir {} + 2>/dev/null; done; true',
        'rmdirs',
        ...names,
      ]).catch(() => {})
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
    },
  }
  try {
    for (let i = 0; i < count; i++) await add()
  } catch (err) {
    await result.down()
    throw err
  }
  return result
}
