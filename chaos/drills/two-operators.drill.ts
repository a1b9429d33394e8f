// Two operators at once: one runs `make deploy`, the other `make restore`, at the same moment.
// Both change the running stack, so both take the stack lock on the engine (ops/lib/stack-lock.ts):
// exactly one runs, the other stops before it changes anything, with one line naming the holder.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { fromRoot } from '../../ops/lib/paths.ts'
import { lockName } from '../../ops/lib/stack-lock.ts'
import { defineDrill } from '../lib/drill.ts'
import { apiNamedAsExpected } from '../lib/operator.ts'
import type { Target } from '../lib/target.ts'

const exec = promisify(execFile)
const DIR = fromRoot('build', 'chaos', 'two-operators')
const release = `two-operators-${randomBytes(3).toString('hex')}`
type Run = { code: number; out: string }

/** The settings both operators share: the drill's stack, and a restic repository of its own. */
const settings = (target: Target): NodeJS.ProcessEnv => ({
  ...process.env,
  COMPOSE_PROJECT_NAME: target.info.projectName,
  SCRIBE_TAG: target.info.env.SCRIBE_TAG ?? 'local',
  POSTGRES_PASSWORD: target.info.env.POSTGRES_PASSWORD,
  RESTIC_REPOSITORY: `${DIR}/repo`,
  RESTIC_PASSWORD_FILE: `${DIR}/restic-password`,
  FORCE_COLOR: '0',
})

/** `make <verb> ARGS=…` as an operator types it; never throws. */
const make = (target: Target, verb: string, args: string[]): Promise<Run> =>
  exec('make', ['-s', '-C', fromRoot(), verb, `ARGS=${args.join(' ')}`], {
    env: settings(target),
    timeout: 240_000,
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof e.code === 'number' ? e.code : 1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    })
  )

/** What must survive either outcome: every recording and note version. */
const counts = async (target: Target) =>
  `${await target.countRows('recordings')} recordings, ${await target.countRows('note_versions')} note versions`

export default defineDrill({
  name: 'two-operators',
  title: 'operator fault: make deploy and make restore started at the same moment',
  hypothesis:
    'Of a deploy and a restore started together exactly one runs; the other stops before changing anything with one line naming the holder and a non-zero exit; no recording or note is lost and the lock is gone afterwards.',
  fault: 'make deploy VERSION=<same image, new tag> and make restore ARGS=--yes, started together',
  needs: ['chaos-overlay'],
  workload: false,
  recoverWithinMs: 90_000,
  async method({ target, expect, note, faultIn }) {
    const { projectName, env } = target.info
    await mkdir(DIR, { recursive: true })
    const envFile = `${DIR}/stack.env`
    const lines = Object.entries(env).map(([k, v]) => `${k}=${v}`)
    await writeFile(envFile, `${lines.join('\n')}\n`, { mode: 0o600 })
    await target.docker(
      'tag',
      `medic-scribe/api:${env.SCRIBE_TAG ?? 'local'}`,
      `medic-scribe/api:${release}`
    )
    const backup = await make(target, 'backup', [])
    expect('a backup to restore exists', backup.code === 0, backup.out.split('\n').at(-2))
    const before = await counts(target)
    note(`before: ${before}`)

    faultIn('make deploy and make restore at the same moment')
    const [deploy, restore] = await Promise.all([
      make(target, 'deploy', [
        ...['--project', projectName, '--env-file', envFile, '--version', release],
        ...['--overlay', 'compose.chaos.yml', '--watch', '2', '--health-timeout', '60'],
        ...['--drain', '5'],
      ]),
      make(target, 'restore', ['--yes']),
    ])
    const runs = { deploy, restore }
    const ran = Object.entries(runs).filter(([, r]) => r.code === 0)
    const stopped = Object.entries(runs).filter(([, r]) => r.code !== 0)
    note(
      `ran: ${ran.map(([n]) => n).join(', ') || 'none'}; stopped: ${stopped.map(([n]) => n).join(', ') || 'none'}`
    )
    expect('exactly one of them ran to the end', ran.length === 1 && stopped.length === 1)
    const [winner] = ran[0] ?? ['nobody']
    const [loser, lost] = stopped[0] ?? ['nobody', { code: 0, out: '' }]
    // The error lines, not the runner's `✗ lock (13 s)` that marks the step it stopped at.
    const errors = lost.out
      .split('\n')
      .filter((l) => l.startsWith('✗') && !/^✗ .* \([\d.]+ s\)$/.test(l))
    note(`${loser} said: ${errors.join(' | ')}`)
    expect(
      `${loser} stopped with one line naming the ${winner} that holds the lock`,
      errors.length === 1 && errors[0]!.includes(`locked: a ${winner} by `),
      errors.join(' | ')
    )
    expect(`${loser} exited non-zero`, lost.code !== 0, `exit ${lost.code}`)
    expect(
      `${loser} changed nothing (no step past its lock)`,
      !/✓ (stop the api|pin the edge|safety backup|start api)/.test(lost.out)
    )
    const after = await counts(target)
    expect('no recording or note version is lost', after === before, `${before} → ${after}`)
    const lock = await target.docker('inspect', lockName(projectName)).then(
      () => 'held',
      () => 'free'
    )
    expect('the stack lock is free afterwards', lock === 'free')
  },
  rollbacks: [
    apiNamedAsExpected,
    {
      name: 'remove the lock, the deploy history, the release tag and the drill files',
      run: async ({ target }) => {
        const quiet = (...args: string[]) => target.docker(...args).catch(() => '')
        await quiet('rm', '-f', lockName(target.info.projectName))
        await quiet('volume', 'rm', `${target.info.projectName}_deploys`)
        // Untags only while the live api still runs it.
        await quiet('image', 'rm', `medic-scribe/api:${release}`)
        await rm(DIR, { recursive: true, force: true })
        await rm(fromRoot('build', 'backup', target.info.projectName), {
          recursive: true,
          force: true,
        })
        await rm(fromRoot('build', 'backup', `${target.info.projectName}.lock`), { force: true })
      },
    },
  ],
})
