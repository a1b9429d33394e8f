// The running edge of a project as the certificate scripts need it: its container, the network
// certbot and testssl.sh join, its address there, and proof that it mounts the volumes.
import { $ } from 'zx'
import { StopError } from './errors.ts'

export type StackEdge = { container: string; network: string; ip: string; startedAt: string }

const q = $({ quiet: true, timeout: '30s' })

export async function findEdge(project: string, volumes: string[] = []): Promise<StackEdge> {
  const names = (
    await q`docker ps --filter ${`label=com.docker.compose.project=${project}`} --filter label=com.docker.compose.service=edge --format {{.Names}}`
  ).stdout
    .split('\n')
    .filter(Boolean)
  const container = names[0]
  if (!container)
    throw new StopError(
      `no running edge in the project ${project}`,
      'start the stack (make up), or name another project with --project'
    )
  const [networksJson, mountsJson, startedAt = ''] = (
    await q`docker inspect --format ${'{{json .NetworkSettings.Networks}}\n{{json .Mounts}}\n{{.State.StartedAt}}'} ${container}`
  ).stdout
    .trim()
    .split('\n')
  const info = JSON.parse(networksJson!) as Record<string, { IPAddress: string }>
  const mounts = JSON.parse(mountsJson!) as { Name?: string }[]
  const missing = volumes.filter((v) => !mounts.some((m) => m.Name === `${project}_${v}`))
  if (missing.length)
    throw new StopError(
      `the edge of ${project} does not mount ${missing.map((v) => `${project}_${v}`).join(', ')}`,
      'recreate it with the current compose files: make up'
    )
  const [network, settings] = Object.entries(info)[0] ?? []
  if (!network || !settings)
    throw new StopError(`the edge ${container} is on no network`, 'make up')
  return { container, network, ip: settings.IPAddress, startedAt }
}
