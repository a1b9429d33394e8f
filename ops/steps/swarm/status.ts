// make swarm-status: read-only. The nodes (availability, role, which holds Postgres' and the
// object store's volumes), every service (tasks running / wanted, image, the last update), and
// the tasks that failed recently with Swarm's reason.
import { $, echo } from 'zx'
import { defineStep } from '../../lib/pipeline.ts'
import { OBJECTS_LABEL, POSTGRES_LABEL } from '../../lib/swarm-stack.ts'
import type { SwarmContext } from './context.ts'
import { readServices } from './converge.ts'

type Node = {
  Description: { Hostname: string }
  Spec: { Role: string; Availability: string; Labels?: Record<string, string> }
  Status: { State: string; Addr: string }
  ManagerStatus?: { Leader?: boolean; Reachability: string }
}

export const nodes = defineStep<SwarmContext>({
  name: 'nodes',
  changes: false,
  run: async () => {
    const ids = (await $({ quiet: true, timeout: '20s' })`docker node ls -q`).stdout
      .split('\n')
      .filter(Boolean)
    const all = JSON.parse(
      (await $({ quiet: true, timeout: '20s' })`docker node inspect ${ids}`).stdout
    ) as Node[]
    for (const n of all) {
      const holds = [
        n.Spec.Labels?.[POSTGRES_LABEL] === 'true' ? 'postgres' : '',
        n.Spec.Labels?.[OBJECTS_LABEL] === 'true' ? 'objects' : '',
      ].filter(Boolean)
      const role = n.ManagerStatus
        ? `manager${n.ManagerStatus.Leader ? ' (leader)' : ''}`
        : 'worker'
      echo(
        `  ${n.Description.Hostname.padEnd(16)} ${n.Status.Addr.padEnd(15)} ${n.Status.State.padEnd(5)} ${n.Spec.Availability.padEnd(6)} ${role}${holds.length ? `, holds ${holds.join(' and ')}` : ''}`
      )
    }
    const down = all.filter((n) => n.Status.State !== 'ready').length
    return `${all.length} node(s)${down ? `, ${down} down` : ''}`
  },
})

export const services = defineStep<SwarmContext>({
  name: (c) => `services of ${c.stack}`,
  changes: false,
  run: async (c) => {
    const list = await readServices(c.stack)
    c.services = list
    for (const s of list)
      echo(
        `  ${s.name.padEnd(24)} ${`${s.running}/${s.desired}`.padEnd(6)} ${s.image}${s.update ? `  (${s.update.state}${s.update.message ? `: ${s.update.message}` : ''})` : ''}`
      )
    const short = list.filter((s) => s.running < s.desired)
    return list.length
      ? `${list.length} service(s)${short.length ? `, ${short.length} short of tasks` : ', all running'}`
      : 'not deployed'
  },
})

export const failedTasks = defineStep<SwarmContext>({
  name: 'recent task failures',
  changes: false,
  run: async (c) => {
    const out = await $({
      quiet: true,
      nothrow: true,
      timeout: '20s',
    })`docker stack ps ${c.stack} --no-trunc --filter desired-state=shutdown --format ${'{{.Name}} {{.Node}} {{.CurrentState}} {{.Error}}'}`
    const failed = out.stdout
      .split('\n')
      .filter((l) => /Failed|Rejected/.test(l))
      .slice(0, 10)
    for (const l of failed) echo(`  ${l}`)
    return failed.length ? `${failed.length} shown` : 'none'
  },
})
