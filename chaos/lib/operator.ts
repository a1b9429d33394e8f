// Operator faults: an ops script run as an operator would (a child process with its own
// settings), the one line it stopped with, and a fingerprint of the stack to show nothing changed.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fromRoot } from '../../ops/lib/paths.ts'
import type { Run } from '../../tests/stack/ops-script.ts'
import type { DrillContext } from './drill.ts'
import type { Target } from './target.ts'

export { ops, restic } from '../../tests/stack/ops-script.ts'

/**
 * The line a script stopped with (`✗ …` followed by its `→ …` hint, as ops/lib/errors.ts prints a
 * StopError after the steps' own `✗ step (time)` lines), or the last `✗` line.
 */
export function stopLines(out: string): { line?: string; hint?: string } {
  const lines = out.split('\n')
  const withHint = lines.findLastIndex(
    (l, i) => l.startsWith('✗ ') && (lines[i + 1] ?? '').trim().startsWith('→')
  )
  if (withHint >= 0) return { line: lines[withHint]!, hint: lines[withHint + 1]!.trim() }
  const last = lines.findLast((l) => l.startsWith('✗ '))
  return last ? { line: last } : {}
}

/**
 * What an operator fault must not change: the api container (not restarted), and the rows of
 * recordings and notes.
 */
export async function fingerprint(target: Target): Promise<string> {
  const started = await target.docker(
    'inspect',
    '-f',
    '{{.State.StartedAt}}',
    target.container('api')
  )
  const counts = await Promise.all(['recordings', 'notes'].map((t) => target.countRows(t)))
  return `api started ${started}, recordings ${counts[0]}, notes ${counts[1]}`
}

/** The settings an ops script needs to act on the drill's stack, plus `extra`. */
export function stackSettings(
  target: Target,
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    COMPOSE_PROJECT_NAME: target.info.projectName,
    POSTGRES_PASSWORD: target.info.env.POSTGRES_PASSWORD!,
    SCRIBE_TAG: target.info.env.SCRIBE_TAG ?? 'local',
    ...extra,
  }
}

/** A scratch folder for a drill's repository and files, under build/chaos (git-ignored). */
export async function scratchDir(name: string): Promise<string> {
  await mkdir(fromRoot('build', 'chaos'), { recursive: true })
  return mkdtemp(join(fromRoot('build', 'chaos'), `${name}-`))
}

export const removeDir = (dir: string) => rm(dir, { recursive: true, force: true })

/**
 * Runs the script, then checks what every operator fault must end with: a non-zero exit, one
 * `✗` line saying `wanted`, a hint, and the stack as it was.
 */
export async function expectCleanStop(
  { target, expect, note }: DrillContext,
  run: () => Promise<Run>,
  wanted: RegExp
): Promise<Run> {
  const before = await fingerprint(target)
  const r = await run()
  const { line, hint } = stopLines(r.out)
  note(`the script said: ${line ?? r.out.trim().split('\n').slice(-3).join(' | ')}`)
  expect('it exits non-zero', r.code !== 0, `exit ${r.code}`)
  expect('one line says what is wrong', line !== undefined && wanted.test(line), line)
  expect('the next line says what to do', hint !== undefined, hint)
  const after = await fingerprint(target)
  expect('nothing changed in the stack', before === after, after)
  return r
}

/**
 * A rollback for drills that run `make deploy`: the drills address containers by name
 * (<project>-api-1), and a deploy starts the new api as -api-2. compose itself finds its
 * containers by label, so renaming the live one back is harmless.
 */
export const apiNamedAsExpected = {
  name: 'the api container named as the drills expect',
  run: async ({ target }: DrillContext): Promise<void> => {
    const names = await target.docker(
      ...['ps', '--filter', `label=com.docker.compose.project=${target.info.projectName}`],
      ...['--filter', 'label=com.docker.compose.service=api', '--format', '{{.Names}}']
    )
    const api = names.split('\n').filter(Boolean)
    if (api.length === 1 && api[0] !== target.container('api'))
      await target.docker('rename', api[0]!, target.container('api'))
  },
}
