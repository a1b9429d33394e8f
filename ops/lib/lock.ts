// The locks an ops script holds while it runs (taken and released by the pipeline runner):
// - a file on this machine, for what only this machine shares (a restic repository's password
//   file and staging folder: backup, restore, prune);
// - the stack lock on the target engine (ops/lib/stack-lock.ts), for what changes the running
//   stack wherever it runs (deploy, rollback, restore): two operators on two laptops meet there.
import { hostname, userInfo } from 'node:os'
import { fs, path } from 'zx'
import { StopError } from './errors.ts'
import { alive } from './pid.ts'
import { describeStackLock, takeStackLock } from './stack-lock.ts'
import { detail } from './step.ts'

export type LockInfo = { pid: number; holder: string; user: string; host: string; since: string }
export type Lock = { file: string; release: () => Promise<void> }
/** A held lock as the runner keeps it: what to call it, how to let it go. */
export type HeldLock = { name: string; release: () => Promise<void> }

export type LockSpec =
  /** A lock file on this machine. */
  | { file: string; holder: string }
  /**
   * The stack lock of a compose project on the target engine. `image`: one the engine has, for
   * when the stack has no postgres container to borrow the image of.
   */
  | { stack: string; holder: string; image?: string }

export async function takeLock(spec: LockSpec): Promise<HeldLock> {
  if ('stack' in spec) return takeStackLock(spec.stack, spec.holder, spec.image)
  const lock = await acquireLock(spec.file, spec.holder)
  return { name: lock.file, release: lock.release }
}

/** Who holds it now (for a dry run), or undefined when it is free. */
export async function describeLock(spec: LockSpec): Promise<string | undefined> {
  if ('stack' in spec) return describeStackLock(spec.stack)
  const other = await readLock(spec.file)
  return other
    ? `${other.holder}, pid ${other.pid} on ${other.host}, since ${other.since}`
    : undefined
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
