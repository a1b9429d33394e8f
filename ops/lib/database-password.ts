// A known real-world failure: compose/.env lost or regenerated while the volumes remain. The
// postgres volume keeps the password it was created with (POSTGRES_PASSWORD only counts on the
// first start), so the api is refused and `up --wait` ends with "container … is unhealthy",
// the reason only in the api's log. This asks postgres itself before the api is started.
import { $ } from 'zx'
import { childEnv } from './env.ts'

export type PasswordCheck = 'new-volume' | 'matches' | 'refused'

export async function checkDatabasePassword(opts: {
  project: string
  password: string
  /** Starts the postgres service alone (compose up -d --wait postgres) when it is not running. */
  startPostgres: () => Promise<unknown>
}): Promise<PasswordCheck> {
  const volume = `${opts.project}_pgdata`
  const container = `${opts.project}-postgres-1`
  const q = $({ quiet: true, nothrow: true, timeout: '30s' })
  if ((await q`docker volume inspect ${volume}`).exitCode !== 0) return 'new-volume'
  const running = (await q`docker inspect -f {{.State.Running}} ${container}`).stdout.trim()
  if (running !== 'true') await opts.startPostgres()
  // Over TCP (the socket inside the container is trusted without a password); PGPASSWORD is
  // passed through the docker client's environment, never on a command line.
  const probe = await $({
    quiet: true,
    nothrow: true,
    timeout: '30s',
    env: childEnv({ PGPASSWORD: opts.password }),
  })`docker exec -e PGPASSWORD ${container} psql -h 127.0.0.1 -U scribe -d scribe -Atc ${'SELECT 1'}`
  if (probe.exitCode === 0) return 'matches'
  if (/password authentication failed|no password supplied/i.test(probe.stderr)) return 'refused'
  throw new Error(
    `could not ask postgres for the password: ${probe.stderr.trim() || probe.exitCode}`
  )
}
