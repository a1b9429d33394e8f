// State a deploy keeps on the target engine, so it works the same on a remote one: the lock
// (a created, never started container: its name is unique, so creating it is atomic) and the
// history (a JSON-lines file in a small volume).
import { hostname } from 'node:os'
import { $ } from 'zx'
import { StopError } from './errors.ts'
import { detail } from './step.ts'
import { historyLine, parseHistory } from './history.ts'
import type { HistoryEntry } from './history.ts'

const q = $({ quiet: true, timeout: '60s' })
const LOCK_LABEL = 'org.medic-scribe.deploy-lock'

export type DeployLockInfo = {
  holder: string
  who: string
  host: string
  pid: number
  since: string
}

export const lockName = (project: string) => `${project}-deploy-lock`
export const stateVolume = (project: string) => `${project}_deploys`

/** An image the target surely has, to run tiny helper commands: the stack's postgres image. */
export async function helperImage(project: string): Promise<string> {
  const out =
    await q`docker ps --filter label=com.docker.compose.project=${project} --filter label=com.docker.compose.service=postgres --format {{.Image}}`.nothrow()
  const image = out.stdout.trim().split('\n')[0]
  if (!out.ok || !image)
    throw new StopError(
      `the stack ${project} is not running on the target (no postgres container)`,
      'start it first with `make up` (or compose up on the target), then deploy'
    )
  return image
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function readDeployLock(project: string): Promise<DeployLockInfo | undefined> {
  const out =
    await q`docker inspect --format ${`{{index .Config.Labels "${LOCK_LABEL}"}}`} ${lockName(project)}`.nothrow()
  if (!out.ok) return undefined
  try {
    return JSON.parse(out.stdout.trim()) as DeployLockInfo
  } catch {
    return { holder: 'unknown', who: 'unknown', host: 'unknown', pid: 0, since: 'unknown' }
  }
}

/**
 * Takes the deploy lock on the target. A live holder stops the run naming who holds it; a
 * holder that was this host's process and is gone left a stale lock, removed with a note.
 */
export async function acquireDeployLock(
  project: string,
  image: string,
  holder: string,
  who: string
): Promise<() => Promise<void>> {
  const me: DeployLockInfo = {
    holder,
    who,
    host: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
  }
  const name = lockName(project)
  for (let attempt = 0; attempt < 3; attempt++) {
    const made =
      await q`docker create --name ${name} --network none --label ${`${LOCK_LABEL}=${JSON.stringify(me)}`} --entrypoint true ${image}`.nothrow()
    if (made.ok) {
      return async () => {
        const now = await readDeployLock(project)
        if (now?.pid === me.pid && now.host === me.host) await q`docker rm -f ${name}`.nothrow()
      }
    }
    if (!/already in use|Conflict/i.test(made.stderr)) throw made
    const other = await readDeployLock(project)
    if (other && (other.host !== me.host || alive(other.pid))) {
      throw new StopError(
        `locked: a ${other.holder} by ${other.who} (pid ${other.pid} on ${other.host}) has run since ${other.since}`,
        `wait for it to finish; if it is gone, remove the lock: docker rm ${name}`
      )
    }
    detail(`removing a stale deploy lock (${other?.holder} pid ${other?.pid} is gone)`)
    await q`docker rm -f ${name}`.nothrow()
  }
  throw new StopError(
    `could not take the deploy lock ${name}`,
    'another run keeps taking it; retry'
  )
}

const helper = (project: string, image: string, mode: 'ro' | 'rw') => [
  'run',
  '--rm',
  '-i',
  '--network',
  'none',
  '--user',
  '0',
  '--entrypoint',
  'sh',
  '-v',
  `${stateVolume(project)}:/deploys:${mode}`,
  image,
  '-c',
]

/** The history on the target and the free space of its Docker disk, in one helper run. */
export async function readTargetState(
  project: string,
  image: string
): Promise<{ history: HistoryEntry[]; skipped: number; freeMB: number }> {
  await q`docker volume create --label org.medic-scribe.deploys=${project} ${stateVolume(project)}`
  const out =
    await q`docker ${helper(project, image, 'ro')} ${'df -Pk /deploys | tail -n 1; echo ---; cat /deploys/history.jsonl 2>/dev/null || true'}`
  const [df = '', text = ''] = out.stdout.split('\n---\n')
  const freeKB = Number(df.trim().split(/\s+/)[3])
  const { entries, skipped } = parseHistory(text)
  return {
    history: entries,
    skipped,
    freeMB: Number.isFinite(freeKB) ? Math.floor(freeKB / 1024) : 0,
  }
}

export async function appendHistory(
  project: string,
  image: string,
  entry: HistoryEntry
): Promise<void> {
  await q({
    input: historyLine(entry),
  })`docker ${helper(project, image, 'rw')} ${'cat >> /deploys/history.jsonl'}`
}
