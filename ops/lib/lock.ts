import { hostname, userInfo } from 'node:os'
import { fs, path } from 'zx'
import { StopError } from './errors.ts'
import { detail } from './step.ts'

export type LockInfo = { pid: number; holder: string; user: string; host: string; since: string }
export type Lock = { file: string; release: () => Promise<void> }

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes a lock file holding the pid and the holder (`backup`, `restore`…), created with O_EXCL
 * so two runs cannot both win. A lock left by a process that is gone on this host is stale:
 * it is removed with a note. A live holder stops the run with one line naming it.
 */
export async function acquireLock(file: string, holder: string): Promise<Lock> {
  await fs.mkdirp(path.dirname(file))
  const me: LockInfo = {
    pid: process.pid,
    holder,
    user: userInfo().username,
    host: hostname(),
    since: new Date().toISOString(),
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, `${JSON.stringify(me)}\n`, { flag: 'wx', mode: 0o644 })
      return {
        file,
        release: async () => {
          const now = await readLock(file)
          if (now?.pid === me.pid && now.host === me.host) await fs.remove(file)
        },
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const other = await readLock(file)
    if (other && (other.host !== me.host || alive(other.pid))) {
      throw new StopError(
        `locked: ${other.holder} (pid ${other.pid} on ${other.host}, ${other.user}) has run since ${other.since}`,
        `wait for it to finish; if it is gone, remove ${file}`
      )
    }
    detail(
      other
        ? `removing a stale lock: ${other.holder} pid ${other.pid} is gone`
        : 'removing an unreadable lock file'
    )
    await fs.remove(file)
  }
  throw new StopError(`could not take the lock ${file}`, 'another run keeps taking it; retry')
}

async function readLock(file: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as LockInfo
  } catch {
    return undefined
  }
}
