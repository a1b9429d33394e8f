// `docker stack deploy`: Swarm compares each service with its running spec and rolls only what
// changed (api and stt one task at a time, the new one started and healthy before the old one
// stops). --prune removes services no longer in the file.
import { $ } from 'zx'
import { defineStep } from '../../lib/pipeline.ts'
import type { SwarmContext } from './context.ts'

/** The manager's clock, in ms: the updates converge reads are stamped by it. */
export async function managerNow(): Promise<number> {
  const out = await $({
    quiet: true,
    timeout: '20s',
  })`docker info --format ${'{{json .SystemTime}}'}`
  return Date.parse(JSON.parse(out.stdout) as string)
}

export const deploy = defineStep<SwarmContext>({
  name: (c) => `docker stack deploy ${c.stack}`,
  changes: true,
  plan: (c) => `docker stack deploy --prune --with-registry-auth -c ${c.stackFile} ${c.stack}`,
  run: async (c) => {
    c.startedAt = await managerNow()
    await $({
      quiet: true,
      timeout: '5m',
    })`docker stack deploy --prune --with-registry-auth -c ${c.stackFile!} ${c.stack}`
    return `api ${c.apiTag} × ${c.apiReplicas}, stt × ${c.sttReplicas}`
  },
})
