// Where the nodes pull the images from: SWARM_REGISTRY, or a registry this step runs on the
// manager (Debian's docker-registry, image built by content hash on first use) on port 5000 of
// the manager's Swarm address. Nodes must list that address in insecure-registries (plain
// HTTP on the cluster's own network; RUNBOOK.md#docker-swarm).
import { $, sleep } from 'zx'
import { ensureCachedImage } from '../../lib/cached-image.ts'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { SwarmContext } from './context.ts'

export const REGISTRY_PORT = 5000
export const registryContainer = (stack: string): string => `${stack}-registry`

async function answers(registry: string): Promise<boolean> {
  const r = await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(3000) }).catch(
    () => undefined
  )
  return r?.status === 200
}

export const registry = defineStep<SwarmContext>({
  name: 'image registry',
  changes: true,
  previews: true,
  run: async (c) => {
    if (c.env.SWARM_REGISTRY) {
      c.registry = c.env.SWARM_REGISTRY
      return `${c.registry} (SWARM_REGISTRY)`
    }
    c.registry = `${c.manager!.addr}:${REGISTRY_PORT}`
    const name = registryContainer(c.stack)
    const state = await $({
      quiet: true,
      nothrow: true,
      timeout: '20s',
    })`docker inspect --format ${'{{.State.Running}}'} ${name}`
    if (state.stdout.trim() === 'true') return `${c.registry} (${name}, running)`
    const image = await ensureCachedImage(c, 'registry')
    if (state.ok) await c.runQuiet`docker rm --force ${name}`
    await c.runQuiet`docker run --detach --name ${name} --restart always --publish ${`${REGISTRY_PORT}:5000`} --volume ${`${name}:/var/lib/docker-registry`} --read-only --cap-drop ALL --security-opt no-new-privileges:true ${image.ref}`
    if (c.dryRun) return `would serve ${c.registry}`
    for (let i = 0; i < 60 && !(await answers(c.registry)); i++) await sleep(500)
    if (!(await answers(c.registry)))
      throw new StopError(`the registry at ${c.registry} does not answer`, `docker logs ${name}`)
    return `${c.registry} (${name}, started)`
  },
})
