// The running stack on the target as a deploy sees it: its api containers and its edge.
import { $ } from 'zx'
import { composeArgs } from '../../lib/compose.ts'
import type { ReleaseOptions } from './options.ts'

const q = $({ quiet: true, timeout: '60s' })

export type ApiContainer = { name: string; image: string; version: string; running: boolean }

/** The release a container runs: its image's tag (medic-scribe/api:TAG). */
export const tagOf = (image: string): string => image.slice(image.lastIndexOf(':') + 1)

export async function apiContainers(project: string): Promise<ApiContainer[]> {
  const out =
    await q`docker ps -a --filter label=com.docker.compose.project=${project} --filter label=com.docker.compose.service=api --format ${'{{.Names}}\t{{.Image}}\t{{.State}}'}`
  return out.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', image = '', state = ''] = line.split('\t')
      return { name, image, version: tagOf(image), running: state === 'running' }
    })
}

export async function edgeContainer(project: string): Promise<string | undefined> {
  const out =
    await q`docker ps --filter label=com.docker.compose.project=${project} --filter label=com.docker.compose.service=edge --format {{.Names}}`
  return out.stdout.trim().split('\n').filter(Boolean)[0]
}

/** The compose network the services share (the probe joins it). */
export async function stackNetwork(container: string): Promise<string> {
  const out =
    await q`docker inspect --format ${'{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{"\\n"}}{{end}}'} ${container}`
  return out.stdout.trim().split('\n')[0]!
}

/** `docker compose` for the deploy's project and env file, on the target. */
export const composeFor = (o: ReleaseOptions) =>
  composeArgs(o.mode, { project: o.project, envFile: o.envFile, extraFiles: o.overlays })

/** docker inspect's health status (`healthy`, `starting`, `unhealthy`) or the state when none. */
export async function healthOf(container: string): Promise<string> {
  const out =
    await q`docker inspect --format ${'{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}'} ${container}`.nothrow()
  if (!out.ok) return 'gone'
  const [state, health] = out.stdout.trim().split('/')
  return state === 'running' ? health || 'running' : state || 'gone'
}
