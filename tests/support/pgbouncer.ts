import { execFile } from 'node:child_process'
import { chmod, mkdtemp, writeFile } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll } from 'vitest'
import { freePort, startLocalServer } from './local-server.ts'
import { startPostgres } from './postgres-server.ts'
import type { StartedPostgres } from './postgres-server.ts'

const run = promisify(execFile)
const BIN = '/usr/sbin/pgbouncer'

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => resolve(socket.end() && true))
    socket.once('error', () => resolve(false))
  })

export type StartedPgBouncer = {
  /** Through the pooler in transaction mode, as Supabase serves it on port 6543. */
  transactionUrl: string
  /** Through the same pooler in session mode, as Supabase serves it on port 5432. */
  sessionUrl: string
  stop(): Promise<void>
}

/**
 * PgBouncer (Debian's package) in front of a test PostgreSQL URL, with one database alias per
 * pool mode. It refuses to run as root, so as root it switches to the `postgres` user.
 */
export async function startPgBouncer(postgresUrl: string): Promise<StartedPgBouncer> {
  const upstream = new URL(postgresUrl)
  const user = decodeURIComponent(upstream.username)
  const dir = await mkdtemp(join(tmpdir(), 'scribe-pgbouncer-'))
  await chmod(dir, 0o755)
  const port = await freePort()
  const target = `host=${upstream.hostname} port=${upstream.port} dbname=postgres`
  await writeFile(join(dir, 'users.txt'), `"${user}" ""\n`)
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `tx = ${target} pool_mode=transaction`,
      `session = ${target} pool_mode=session`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'default_pool_size = 20',
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n')
  )
  const asRoot = process.getuid?.() === 0
  if (asRoot) await run('chown', ['-R', 'postgres:postgres', dir])
  const args = [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')]
  const server = await startLocalServer({
    name: 'PgBouncer',
    bin: BIN,
    args,
    dir,
    ready: () => accepts(port),
    timeoutMs: 10_000,
    pollMs: 50,
  })
  const base = `postgres://${user}@127.0.0.1:${port}`
  return {
    transactionUrl: `${base}/tx`,
    sessionUrl: `${base}/session`,
    stop: server.stop,
  }
}

/**
 * A suite's PostgreSQL with PgBouncer in front: started before its tests, stopped after them.
 * Read `url` and `bouncer` inside the tests.
 */
export function usePostgresBehindPgBouncer(): { url: string; bouncer: StartedPgBouncer } {
  let pg: StartedPostgres | undefined
  let bouncer: StartedPgBouncer | undefined
  beforeAll(async () => {
    pg = await startPostgres()
    bouncer = await startPgBouncer(pg.url)
  }, 60_000)
  afterAll(async () => {
    await bouncer?.stop()
    await pg?.stop()
  })
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the servers are not started yet: use them in a test')
    return v
  }
  return {
    get url() {
      return started(pg).url
    },
    get bouncer() {
      return started(bouncer)
    },
  }
}
