// The stack's Docker state as the backup and restore scripts see it: its containers and
// volumes, a postgres to talk to (the stack's own or a temporary one), and the live rows and
// files to compare a manifest against.
import { $, fs, sleep } from 'zx'
import { dockerClient } from './env.ts'
import { StopError } from './errors.ts'
import { detail } from './step.ts'
import { BASE_IMAGE } from './images.ts'
import type { BackupEnv } from './restic.ts'
import { parseHashListing } from './manifest.ts'
import type { ManifestFile } from './manifest.ts'

const q = $({ quiet: true })

export type StackState = {
  project: string
  containers: Map<string, { name: string; running: boolean }>
  volumes: { audio: string; notes: string; pgdata: string }
  existing: Set<string>
}

/** The project's containers by service, and which of its volumes exist. */
export async function stackState(project: string): Promise<StackState> {
  const out =
    await q`docker ps -a --filter label=com.docker.compose.project=${project} --format ${'{{.Label "com.docker.compose.service"}}\t{{.Names}}\t{{.State}}'}`
  const containers = new Map<string, { name: string; running: boolean }>()
  for (const line of out.stdout.split('\n').filter(Boolean)) {
    const [service, name, state] = line.split('\t')
    if (service && name) containers.set(service, { name, running: state === 'running' })
  }
  const volumes = {
    audio: `${project}_audio`,
    notes: `${project}_notes`,
    pgdata: `${project}_pgdata`,
  }
  const existing = new Set<string>()
  for (const v of Object.values(volumes))
    if ((await q`docker volume inspect ${v}`.nothrow()).ok) existing.add(v)
  return { project, containers, volumes, existing }
}

/**
 * Runs `fn` with a postgres container for the project: the stack's own when it runs, else a
 * temporary one on the pgdata volume (no network), removed afterwards.
 */
export async function withPostgres<T>(
  state: StackState,
  env: BackupEnv,
  fn: (container: string) => Promise<T>
): Promise<T> {
  const own = state.containers.get('postgres')
  if (own?.running) return fn(own.name)
  const name = `${state.project}-ops-postgres`
  await q`docker rm -f ${name}`.nothrow()
  const init = env.POSTGRES_PASSWORD ? ['-e', `POSTGRES_PASSWORD=${env.POSTGRES_PASSWORD}`] : []
  detail(`the stack's postgres is not running: starting ${name} on ${state.volumes.pgdata}`)
  await q`docker run -d --name ${name} --network none -e POSTGRES_USER=scribe -e POSTGRES_DB=scribe ${init} -v ${state.volumes.pgdata}:/var/lib/postgresql/data --tmpfs /tmp medic-scribe/postgres:${env.SCRIBE_TAG}`
  try {
    const deadline = Date.now() + 90_000
    while (!(await q`docker exec ${name} pg_isready -q -U scribe -d scribe`.nothrow()).ok) {
      if (Date.now() > deadline) {
        const logs = await q`docker logs --tail 20 ${name}`.nothrow()
        throw new StopError(
          `postgres on ${state.volumes.pgdata} did not start: ${logs.stderr.trim().split('\n').at(-1)}`,
          'check the volume (docker volume inspect) and POSTGRES_PASSWORD in compose/.env'
        )
      }
      await sleep(500)
    }
    return await fn(name)
  } finally {
    await q`docker rm -f ${name}`.nothrow()
  }
}

/** Every table's row count in the live database. */
export async function liveTableCounts(container: string): Promise<Record<string, number>> {
  const psql = (sql: string) =>
    q`docker exec ${container} psql -U scribe -d scribe -v ON_ERROR_STOP=1 -At -F ${'\t'} -c ${sql}`
  const names = (
    await psql(
      "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
    )
  ).stdout
    .split('\n')
    .filter(Boolean)
  if (names.length === 0) return {}
  const sql = names
    .map((n) => {
      const [s, t] = n.split('.')
      return `SELECT '${n}', count(*) FROM "${s}"."${t}"`
    })
    .join(' UNION ALL ')
  const out: Record<string, number> = {}
  for (const line of (await psql(sql)).stdout.split('\n').filter(Boolean)) {
    const [n, c] = line.split('\t')
    out[n!] = Number(c)
  }
  return out
}

/** The files in the audio and notes volumes now (temporary uploads left out). */
export async function liveVolumeFiles(state: StackState): Promise<ManifestFile[]> {
  if (!state.existing.has(state.volumes.audio) && !state.existing.has(state.volumes.notes))
    return []
  const script = `set -eu; cd /data
find audio notes -type f ! -path '*/.tmp/*' -printf '%s\\t%p\\n'
echo ---
find audio notes -type f ! -path '*/.tmp/*' -print0 | xargs -0 -r -P "$(nproc)" -n 64 sha256sum`
  const mounts = (['audio', 'notes'] as const)
    .filter((a) => state.existing.has(state.volumes[a]))
    .flatMap((a) => ['-v', `${state.volumes[a]}:/data/${a}:ro`])
  const out =
    await q`docker run --rm --network none ${mounts} ${BASE_IMAGE} sh -c ${`mkdir -p /data/audio /data/notes 2>/dev/null || true; ${script}`}`
  const [sizes = '', sums = ''] = out.stdout.split('\n---\n')
  return parseHashListing(sums, sizes)
}

/**
 * The folder on this machine that holds a volume's files, when this process may read it
 * directly: the engine is local (no DOCKER_HOST or context elsewhere) and we are root. Backups
 * and restores then link and move files instead of copying them through a container.
 */
export async function volumeHostPath(volume: string): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const { host, context } = dockerClient()
  if ((host && !host.startsWith('unix://')) || context) return undefined
  const out = await q`docker volume inspect -f {{.Mountpoint}} ${volume}`.nothrow().timeout('30s')
  const dir = out.stdout.trim()
  if (!out.ok || !dir) return undefined
  return (await fs.pathExists(dir)) ? dir : undefined
}
