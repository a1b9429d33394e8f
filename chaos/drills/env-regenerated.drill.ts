import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { fromRoot } from '../../ops/lib/paths.ts'
import { defineDrill } from '../lib/drill.ts'
import type { Target } from '../lib/target.ts'

const exec = promisify(execFile)
const DIR = fromRoot('build', 'chaos')
const file = (name: string) => `${DIR}/${name}.env`

/** An env file for the drill's stack, as `make up` would read it. */
async function envFile(target: Target, name: string, password: string) {
  const { env, projectName } = target.info
  const lines = [
    `COMPOSE_PROJECT_NAME=${projectName}`,
    `SCRIBE_TAG=${env.SCRIBE_TAG ?? 'local'}`,
    `HTTP_PORT=${env.HTTP_PORT}`,
    `HTTPS_PORT=${env.HTTPS_PORT}`,
    `POSTGRES_PASSWORD=${password}`,
    `JWT_SECRET=${randomBytes(48).toString('base64url')}`,
  ]
  await mkdir(DIR, { recursive: true })
  await writeFile(file(name), `${lines.join('\n')}\n`, { mode: 0o600 })
  return file(name)
}

/** `make up` (ops/up.ts) with SCRIBE_ENV_FILE pointing at `path`; never throws. */
async function up(path: string, args: string[] = []) {
  const env: NodeJS.ProcessEnv = { ...process.env, SCRIBE_ENV_FILE: path }
  delete env.POSTGRES_PASSWORD
  return exec(fromRoot('node_modules/.bin/tsx'), [fromRoot('ops', 'up.ts'), ...args], {
    env,
    timeout: 90_000,
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? 1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    })
  )
}

export default defineDrill({
  name: 'env-regenerated',
  title: 'operator fault: compose/.env regenerated while the volumes remain',
  hypothesis:
    'make up with a new compose/.env over an existing database stops before touching the stack, says in one line that the password does not open the database and what to do, and the running stack is unharmed.',
  fault:
    'make up with a fresh env file (new POSTGRES_PASSWORD and JWT_SECRET) for the same project',
  recoverWithinMs: 30_000,
  async method({ target, expect, note, faultIn }) {
    const api = target.container('api')
    const startedBefore = await target.docker('inspect', '-f', '{{.State.StartedAt}}', api)
    const right = await up(await envFile(target, 'env-kept', target.info.env.POSTGRES_PASSWORD!), [
      '--dry-run',
    ])
    expect(
      'with the right password make up --dry-run passes the check',
      right.code === 0 && right.out.includes('the database accepts it'),
      right.out.split('\n').find((l) => l.includes('database password'))
    )
    faultIn('make up with the regenerated env file')
    const wrong = await up(
      await envFile(target, 'env-regenerated', randomBytes(24).toString('base64url'))
    )
    const line = wrong.out.split('\n').find((l) => l.includes('refuses POSTGRES_PASSWORD'))
    note(`make up said: ${line ?? wrong.out.slice(-300)}`)
    expect('make up stops with a non-zero exit', wrong.code !== 0, `exit ${wrong.code}`)
    expect(
      'one line names the password mismatch and the volume',
      line !== undefined && line.includes('_pgdata')
    )
    expect(
      'the next line says what to do',
      /→ put back the .* and run make up again/.test(wrong.out)
    )
    expect('compose up was never reached', !wrong.out.includes('start the stack'))
    const startedAfter = await target.docker('inspect', '-f', '{{.State.StartedAt}}', api)
    expect('the running api was not restarted', startedBefore === startedAfter)
  },
  rollbacks: [
    {
      name: 'remove the drill env files',
      run: async () => {
        await rm(file('env-kept'), { force: true })
        await rm(file('env-regenerated'), { force: true })
      },
    },
  ],
})
