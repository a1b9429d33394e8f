// Every image the stack file names, pushed to the registry under the same name, so each node
// pulls exactly what the manager has. A push of unchanged layers only checks them.
import { $ } from 'zx'
import { imageExists } from '../../lib/docker.ts'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { ensureSeaweedfsImage, seaweedfsImageRef } from '../../lib/seaweedfs-image.ts'
import type { SwarmContext } from './context.ts'

export const images = defineStep<SwarmContext>({
  name: 'images to the registry',
  changes: true,
  previews: true,
  run: async (c) => {
    const wanted = c.images ?? new Map<string, string>()
    const objects = await seaweedfsImageRef()
    if (wanted.has(objects) && !(await imageExists(objects)))
      await ensureSeaweedfsImage({ dryRun: c.dryRun })
    const missing: string[] = []
    for (const ref of wanted.keys()) if (!(await imageExists(ref))) missing.push(ref)
    if (missing.length && !c.dryRun)
      throw new StopError(
        `missing on the manager: ${missing.join(', ')}`,
        'make images (ARGS="--tag <tag>"), or load them there (docker save | docker load)'
      )
    for (const [local, remote] of wanted) {
      if (local === remote) continue
      await c.runQuiet`docker tag ${local} ${remote}`
      if (c.dryRun) await c.runQuiet`docker push ${remote}`
      else await $({ quiet: true, timeout: '15m' })`docker push --quiet ${remote}`
    }
    return `${wanted.size} image(s)${c.registry ? ` on ${c.registry}` : ''}`
  },
})
