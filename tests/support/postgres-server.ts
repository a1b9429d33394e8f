import { execFile } from 'node:child_process'
import { chmod, mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort, startLocalServer } from './local-server.ts'

const run = promisify(execFile)

async function findBin(): Promise<string | undefined> {
  const root = '/usr/lib/postgresql'
  const versions = await readdir(root).catch(() => [] as string[])
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
  return newest ? join(root, newest, 'bin') : undefined
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
  const server = await startLocalServer({
    name: 'PostgreSQL',
    bin: join(bin, 'postgres'),
    args,
    dir,
    options: owner,
    ready: () =>
      run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).then(
        () => true,
        () => false
      ),
    timeoutMs: 20_000,
    pollMs: 100,
  })
  const url = `postgres://scribe@127.0.0.1:${port}/postgres`
  return {
    url,
    stop: server.stop,
  }
}
