// Waits until every service of the stack runs as many healthy tasks as it wants and no update is
// in flight. An update Swarm rolled back (a new task failed its health check or exited within
// the monitor window) stops the run: the old release is serving, and the reason is shown.
import { $, sleep } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { ServiceState, SwarmContext } from './context.ts'

type Inspected = {
  Spec: {
    Name: string
    Mode: { Replicated?: { Replicas: number }; Global?: object }
    TaskTemplate: { ContainerSpec: { Image: string } }
  }
  UpdateStatus?: { State: string; Message?: string; StartedAt?: string }
}

/** Every service of the stack as Swarm sees it now. */
export async function readServices(stack: string): Promise<ServiceState[]> {
  const ids = (
    await $({
      quiet: true,
      timeout: '20s',
    })`docker service ls -q --filter ${`label=com.docker.stack.namespace=${stack}`}`
  ).stdout
    .split('\n')
    .filter(Boolean)
  if (!ids.length) return []
  const inspected = JSON.parse(
    (await $({ quiet: true, timeout: '20s' })`docker service inspect ${ids}`).stdout
  ) as Inspected[]
  const ls = (
    await $({
      quiet: true,
      timeout: '20s',
    })`docker service ls --filter ${`label=com.docker.stack.namespace=${stack}`} --format ${'{{.Name}} {{.Replicas}}'}`
  ).stdout
  const replicas = new Map(
    ls
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [name, r] = l.split(' ')
        const [running, desired] = (r ?? '0/0').split('/').map((x) => parseInt(x, 10))
        return [name!, { running: running ?? 0, desired: desired ?? 0 }]
      })
  )
  return inspected.map((s) => ({
    name: s.Spec.Name,
    image: s.Spec.TaskTemplate.ContainerSpec.Image.split('@')[0]!,
    ...(replicas.get(s.Spec.Name) ?? { running: 0, desired: 0 }),
    ...(s.UpdateStatus
      ? {
          update: {
            state: s.UpdateStatus.State,
            message: s.UpdateStatus.Message ?? '',
            startedAt: s.UpdateStatus.StartedAt ?? '',
          },
        }
      : {}),
  }))
}

const IN_FLIGHT = new Set(['updating', 'rollback_started'])

export const converge = defineStep<SwarmContext>({
  name: 'services converge',
  changes: true,
  plan: (c) => `wait up to ${c.env.SWARM_CONVERGE_SECONDS} s for every service to run healthy`,
  run: async (c) => {
    const deadline = Date.now() + c.env.SWARM_CONVERGE_SECONDS * 1000
    // Only updates this run started count (an older one's rollback stays in the status).
    const ours = (s: ServiceState) =>
      s.update && Date.parse(s.update.startedAt) >= (c.startedAt ?? 0) - 1000 ? s.update : undefined
    for (;;) {
      const services = await readServices(c.stack)
      c.services = services
      const settled = services.every(
        (s) => s.desired > 0 && s.running === s.desired && !IN_FLIGHT.has(ours(s)?.state ?? '')
      )
      const stuck = services.filter((s) =>
        ['paused', 'rollback_paused'].includes(ours(s)?.state ?? '')
      )
      const rolledBack = services.filter((s) => ours(s)?.state === 'rollback_completed')
      if (stuck.length || (rolledBack.length && settled)) {
        const failed = [...stuck, ...rolledBack]
        throw new StopError(
          `Swarm ${stuck.length ? 'paused' : 'rolled back'} ${failed.map((s) => `${s.name} (${s.update!.message})`).join(', ')}`,
          `the previous release is serving; see why: docker service ps --no-trunc ${failed[0]!.name}`
        )
      }
      if (settled && services.length)
        return services
          .map((s) => `${s.name.replace(`${c.stack}_`, '')} ${s.running}/${s.desired}`)
          .join(', ')
      if (Date.now() > deadline) {
        const late = services.filter(
          (s) => s.running !== s.desired || IN_FLIGHT.has(s.update?.state ?? '')
        )
        throw new StopError(
          `not converged after ${c.env.SWARM_CONVERGE_SECONDS} s: ${late.map((s) => `${s.name} ${s.running}/${s.desired} ${s.update?.state ?? ''}`).join(', ')}`,
          'make swarm-status shows the failing tasks'
        )
      }
      await sleep(1000)
    }
  },
})
