import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { execFile } from 'node:child_process'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const BIN = '/usr/sbin/pgbouncer'

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

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
  const child: ChildProcess = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()))
  const until = Date.now() + 10_000
  while (!(await accepts(port))) {
    if (Date.now() > until || child.exitCode !== null)
      throw new Error(`PgBouncer did not start: ${log.slice(-500)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  const base = `postgres://${user}@127.0.0.1:${port}`
  return {
    transactionUrl: `${base}/tx`,
    sessionUrl: `${base}/session`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGINT')
        await new Promise((r) => child.once('exit', r))
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
