// State a deploy keeps on the target engine, so it works the same on a remote one: the history
// (a JSON-lines file in a small volume). Its lock is the stack lock (ops/lib/stack-lock.ts).
import { $ } from 'zx'
import { StopError } from './errors.ts'
import { historyLine, parseHistory } from './history.ts'
import type { HistoryEntry } from './history.ts'

const q = $({ quiet: true, timeout: '60s' })
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
