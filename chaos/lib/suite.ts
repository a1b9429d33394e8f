// Runs drills one after the other against one stack and keeps their journals: what `make chaos`
// and the vitest project `chaos` share.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { CONSULTATION, synthesizeConsultation } from '../../tests/support/audio.ts'
import type { StackInfo } from '../../tests/stack/stack.ts'
import { DRILLS } from '../drills/index.ts'
import type { Drill } from './drill.ts'
import type { Journal } from './journal.ts'
import { resilienceScore, table, writeJournal } from './journal.ts'
import type { Capabilities } from './run-drill.ts'
import { runDrill } from './run-drill.ts'
import type { Target } from './target.ts'
import { openTarget } from './target.ts'

const exec = promisify(execFile)

/** The drills `name` selects (all when empty); an unknown name stops with the known ones. */
export function selectDrills(name?: string): Drill[] {
  if (!name) return DRILLS
  const names = name.split(',').map((n) => n.trim())
  const unknown = names.filter((n) => !DRILLS.some((d) => d.name === n))
  if (unknown.length)
    throw new Error(
      `unknown drill ${unknown.join(', ')}: known are ${DRILLS.map((d) => d.name).join(', ')}`
    )
  return DRILLS.filter((d) => names.includes(d.name))
}

export type Session = {
  target: Target
  token: string
  audio: Uint8Array
  can: Capabilities
  run: (drill: Drill, log?: (line: string) => void) => Promise<Journal>
}

/** Signs in, synthesises the consultation once, and says what the stack and this host allow. */
export async function openSession(info: StackInfo): Promise<Session> {
  const target = await openTarget(info)
  // Two lines of the consultation (about 8 s of speech, ~250 KB): the fake provider answers the
  // same transcript whatever it hears, and hundreds of drill uploads must fit the audio volume.
  const [token, audio] = await Promise.all([
    target.login(),
    synthesizeConsultation(CONSULTATION.slice(0, 2)),
  ])
  const nsenter = await exec('sh', [
    '-c',
    'command -v nsenter && command -v tc && command -v iptables',
  ]).then(
    () => true,
    () => false
  )
  const can: Capabilities = {
    overlay: target.fake !== null,
    root: process.getuid?.() === 0 && nsenter,
  }
  return {
    target,
    token,
    audio,
    can,
    async run(drill, log = console.log) {
      log(`drill ${drill.name}: ${drill.title}`)
      const journal = await runDrill(drill, target, token, audio, can, log)
      const file = await writeJournal(journal)
      log(
        `drill ${drill.name}: ${journal.status}${journal.reason ? ` (${journal.reason})` : ''} - ${file}`
      )
      return journal
    },
  }
}

/** The report: one table, the resilience score, and whether the bar was met. */
export function report(journals: Journal[]) {
  const score = resilienceScore(journals)
  const lost = journals.reduce((n, j) => n + j.uploads.lost, 0)
  const duplicated = journals.reduce((n, j) => n + j.uploads.duplicated, 0)
  const failed = journals.filter((j) => j.status === 'failed' || j.status === 'aborted')
  const text = [
    table(journals),
    '',
    `resilience score: ${score}% (weighted share of probes passed, ${journals.filter((j) => j.status !== 'skipped').length} drill(s))`,
    `lost: ${lost}, duplicated: ${duplicated}, drills failed: ${failed.map((j) => j.drill).join(', ') || 'none'}`,
  ].join('\n')
  return {
    text,
    score,
    lost,
    duplicated,
    ok: lost === 0 && duplicated === 0 && failed.length === 0,
  }
}
