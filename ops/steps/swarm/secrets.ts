// Passwords and keys as Swarm secrets (encrypted in the managers' Raft log, mounted as files
// under /run/secrets only in the tasks that use them). Each is named after a hash of its value
// (ops/lib/swarm-stack.ts), so an existing one is never recreated and a changed one is new.
import { $ } from 'zx'
import { defineStep } from '../../lib/pipeline.ts'
import type { SwarmContext } from './context.ts'

export const secrets = defineStep<SwarmContext>({
  name: 'swarm secrets',
  changes: true,
  previews: true,
  run: async (c) => {
    const have = new Set(
      (
        await $({ quiet: true, timeout: '20s' })`docker secret ls --format ${'{{.Name}}'}`
      ).stdout.split('\n')
    )
    const created: string[] = []
    for (const s of c.secrets ?? []) {
      if (have.has(s.name)) continue
      if (c.dryRun) created.push(s.name)
      else {
        await $({
          quiet: true,
          timeout: '20s',
          input: s.value,
        })`docker secret create --label ${`com.docker.stack.namespace=${c.stack}`} ${s.name} -`
        created.push(s.name)
      }
    }
    const verb = c.dryRun ? 'would create' : 'created'
    return created.length ? `${verb} ${created.join(', ')}` : `${c.secrets?.length ?? 0} in place`
  },
})
