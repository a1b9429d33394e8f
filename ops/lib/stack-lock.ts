// The stack lock: held by whatever changes the running stack (deploy, rollback, restore), on the
// target engine itself so that it works the same for a remote one and two operators on two
// machines meet there. It is a created, never started container: its name is unique, so creating
// it is atomic, and its label says who holds it.
import { hostname } from 'node:os'
import { $ } from 'zx'
import { StopError } from './errors.ts'
import { alive } from './pid.ts'
import { detail } from './step.ts'
import { whoAmI } from './target.ts'

const q = $({ quiet: true, timeout: '60s' })
const LOCK_LABEL = 'org.medic-scribe.deploy-lock'

export type StackLockInfo = {
  /** What runs: deploy, rollback, restore. */
  holder: string
  who: string
  host: string
  pid: number
  since: string
}

/** The lock's container (named before restores took it too; kept so running locks stay valid). */
export const lockName = (project: string) => `${project}-deploy-lock`

export async function readStackLock(project: string): Promise<StackLockInfo | undefined> {
  const out =
    await q`docker inspect --format ${`{{index .Config.Labels "${LOCK_LABEL}"}}`} ${lockName(project)}`.nothrow()
  if (!out.ok) return undefined
  try {
    return JSON.parse(out.stdout.trim()) as StackLockInfo
  } catch {
    return { holder: 'unknown', who: 'unknown', host: 'unknown', pid: 0, since: 'unknown' }
  }
}

export const formatHolder = (l: StackLockInfo) =>
  `a ${l.holder} by ${l.who} (pid ${l.pid} on ${l.host}) since ${l.since}`

export async function describeStackLock(project: string): Promise<string | undefined> {
  const l = await readStackLock(project)
  return l && formatHolder(l)
}

/** An image the engine has for the lock container: the stack's postgres image, else `image`. */
async function lockImage(project: string, image: string | undefined): Promise<string> {
  const out =
    await q`docker ps -a --filter label=com.docker.compose.project=${project} --filter label=com.docker.compose.service=postgres --format {{.Image}}`.nothrow()
  const own = out.stdout.trim().split('\n')[0]
  if (out.ok && own) return own
  if (image) return image
  throw new StopError(
    `the stack ${project} has no postgres container on the target to take its lock with`,
    'start it first with `make up` (or compose up on the target)'
  )
}

/**
 * Takes the stack lock. A live holder stops the run naming it; a holder that was this host's
 * process and is gone left a stale lock, removed with a note.
 */
export async function takeStackLock(
  project: string,
  holder: string,
  image?: string
): Promise<{ name: string; release: () => Promise<void> }> {
  const me: StackLockInfo = {
    holder,
    who: await whoAmI(),
    host: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
  }
  const name = lockName(project)
  const from = await lockImage(project, image)
  for (let attempt = 0; attempt < 3; attempt++) {
    const made =
      await q`docker create --name ${name} --network none --label ${`${LOCK_LABEL}=${JSON.stringify(me)}`} --entrypoint true ${from}`.nothrow()
    if (made.ok) {
      return {
        name: `${name} on the target`,
        release: async () => {
          const now = await readStackLock(project)
          if (now?.pid === me.pid && now.host === me.host) await q`docker rm -f ${name}`.nothrow()
        },
      }
    }
    if (!/already in use|Conflict/i.test(made.stderr)) throw made
    const other = await readStackLock(project)
    if (other && (other.host !== me.host || alive(other.pid))) {
      throw new StopError(
        `locked: a ${other.holder} by ${other.who} (pid ${other.pid} on ${other.host}) has run since ${other.since}`,
        `wait for it to finish; if it is gone, remove the lock: docker rm ${name}`
      )
    }
    detail(`removing a stale stack lock (${other?.holder} pid ${other?.pid} is gone)`)
    await q`docker rm -f ${name}`.nothrow()
  }
  throw new StopError(`could not take the stack lock ${name}`, 'another run keeps taking it; retry')
}
