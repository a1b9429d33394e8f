// Every image the stack runs, pushed to the registry under the same name, so each node pulls
// exactly what the manager has. A push of unchanged layers only checks them.
import { $ } from 'zx'
import { imageExists } from '../../lib/docker.ts'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { seaweedfsImageRef, ensureSeaweedfsImage } from '../../lib/seaweedfs-image.ts'
import type { SwarmContext } from './context.ts'

/** The local images the stack needs (api at its own tag). */
export async function wantedImages(c: SwarmContext): Promise<string[]> {
  const names = ['postgres', 'edge', 'stt'].filter((n) => !c.env.SWARM_WITHOUT.includes(n))
  return [
    `medic-scribe/api:${c.apiTag}`,
    ...names.map((n) => `medic-scribe/${n}:${c.tag}`),
    ...(c.env.S3_ENDPOINT ? [] : [await seaweedfsImageRef()]),
  ]
}

export const images = defineStep<SwarmContext>({
  name: 'images to the registry',
  changes: true,
  previews: true,
  run: async (c) => {
    const wanted = await wantedImages(c)
    if (!c.env.S3_ENDPOINT && !(await imageExists(wanted.at(-1)!)))
      await ensureSeaweedfsImage({ dryRun: c.dryRun })
    const missing: string[] = []
    for (const ref of wanted) if (!(await imageExists(ref))) missing.push(ref)
    if (missing.length && !c.dryRun)
      throw new StopError(
        `missing on the manager: ${missing.join(', ')}`,
        'make images (ARGS="--tag <tag>"), or load them there (docker save | docker load)'
      )
    c.images = new Map(wanted.map((ref) => [ref, `${c.registry}/${ref}`]))
    for (const [local, remote] of c.images) {
      await c.runQuiet`docker tag ${local} ${remote}`
      if (!c.dryRun) await $({ quiet: true, timeout: '15m' })`docker push --quiet ${remote}`
      else await c.runQuiet`docker push ${remote}`
    }
    return `${c.images.size} image(s) on ${c.registry}`
  },
})
