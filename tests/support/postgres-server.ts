import { execFile, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

async function findBin(): Promise<string | undefined> {
  const root = '/usr/lib/postgresql'
  const versions = await readdir(root).catch(() => [] as string[])
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
  return newest ? join(root, newest, 'bin') : undefined
}

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

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ])
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
}

export type StartedPostgres = { url: string; stop(): Promise<void> }

/**
 * A throwaway PostgreSQL server (Debian's binaries) in a temporary folder on a free loopback
 * port. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (uid/gid).
 */
export async function startPostgres(): Promise<StartedPostgres> {
  const bin = await findBin()
  if (!bin) throw new Error('PostgreSQL server binaries not found: apt-get install postgresql')
  const dir = await mkdtemp(join(tmpdir(), 'scribe-pg-'))
  await chmod(dir, 0o777)
  const owner = process.getuid?.() === 0 ? await postgresUser() : {}
  const data = join(dir, 'data')
  await run(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'scribe', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    owner
  )
  const port = await freePort()
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
  ]
  const child: ChildProcess = spawn(join(bin, 'postgres'), args, {
    ...owner,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let log = ''
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()))
  const url = `postgres://scribe@127.0.0.1:${port}/postgres`
  const until = Date.now() + 20_000
  for (;;) {
    const ok = await run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).then(
      () => true,
      () => false
    )
    if (ok) break
    if (Date.now() > until || child.exitCode !== null)
      throw new Error(`PostgreSQL did not start: ${log.slice(-500)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGINT')
        await new Promise((r) => child.once('exit', r))
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
