// The engine the CLI talks to must be a Swarm manager: deploys, secrets and labels go through it.
import { $ } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { SwarmContext } from './context.ts'

type SwarmInfo = {
  LocalNodeState: string
  ControlAvailable: boolean
  NodeAddr: string
  NodeID: string
}

export const manager = defineStep<SwarmContext>({
  name: 'swarm manager',
  changes: false,
  run: async (c) => {
    const out = await $({
      quiet: true,
      nothrow: true,
      timeout: '20s',
    })`docker info --format ${'{{json .Swarm}}'}`
    if (!out.ok)
      throw new StopError(
        `the docker engine does not answer: ${out.stderr.trim().split('\n').at(-1)}`,
        'set DOCKER_HOST (or a docker context) to a manager of the Swarm'
      )
    const swarm = JSON.parse(out.stdout) as SwarmInfo
    if (swarm.LocalNodeState !== 'active')
      throw new StopError(
        `this engine is not in a Swarm (state: ${swarm.LocalNodeState || 'inactive'})`,
        'docker swarm init --advertise-addr <this machine’s address> (RUNBOOK.md#docker-swarm)'
      )
    if (!swarm.ControlAvailable)
      throw new StopError(
        'this engine is a worker of the Swarm, not a manager',
        'run it against a manager (DOCKER_HOST), or `docker node promote` this node'
      )
    const hostname = (
      await $({
        quiet: true,
        timeout: '20s',
      })`docker node inspect self --format ${'{{.Description.Hostname}}'}`
    ).stdout.trim()
    c.manager = { nodeId: swarm.NodeID, addr: swarm.NodeAddr, hostname }
    const nodes = (await $({ quiet: true, timeout: '20s' })`docker node ls -q`).stdout
      .trim()
      .split('\n')
    return `${hostname} (${swarm.NodeAddr}), ${nodes.length} node(s)`
  },
})
