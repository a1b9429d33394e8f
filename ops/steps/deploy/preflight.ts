// Everything checked before anything changes. Before the lock: settings and secrets, the
// engine. Under it: the running stack, free disk and the history, the version, the smoke account.
import { randomBytes } from 'node:crypto'
import { $, fs } from 'zx'
import { parseEnvFile, setEnvValue } from '../../lib/env-file.ts'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { previousVersion, versionFromGit } from '../../lib/release.ts'
import { detail } from '../../lib/step.ts'
import { selectTarget } from '../../lib/target.ts'
import { helperImage, readTargetState } from '../../lib/target-state.ts'
import { need } from './context.ts'
import type { ReleaseContext } from './context.ts'
import { apiContainers, composeFor, edgeContainer } from './stack.ts'
import { childEnv } from '../../lib/env.ts'

const q = $({ quiet: true, timeout: '60s' })
const REQUIRED = ['POSTGRES_PASSWORD', 'JWT_SECRET']
export const DEFAULT_SMOKE_EMAIL = 'deploy-smoke@example.org'

export const settings = defineStep<ReleaseContext>({
  name: 'settings',
  changes: false,
  run: async (c) => {
    const file = c.o.envFile
    if (!(await fs.pathExists(file)))
      throw new StopError(`${file} is missing`, 'run `make up` once: it writes the secrets')
    c.settings = parseEnvFile(await fs.readFile(file, 'utf8'))
    const missing = REQUIRED.filter((k) => !c.settings!.get(k))
    if (missing.length)
      throw new StopError(`${file} lacks ${missing.join(', ')}`, 'run `make up`: it adds them')
    return file
  },
})

export const target = defineStep<ReleaseContext>({
  name: 'target',
  changes: false,
  run: async (c) => {
    const target = await selectTarget(c.o.context)
    c.target = target
    const info = await q`docker info --format {{.ServerVersion}}`.nothrow()
    if (!info.ok)
      throw new StopError(
        `the target (${target.label}) does not answer: ${info.stderr.trim().split('\n').at(-1)}`,
        'check the context / DOCKER_HOST and that ssh to the host works'
      )
    const config = await q`docker ${composeFor(c.o)} config --quiet`.nothrow()
    if (!config.ok)
      throw new StopError(
        `the compose configuration is invalid: ${config.stderr.trim().split('\n').at(-1)}`,
        `fix ${c.o.envFile} or compose/*.yml`
      )
    // An ssh URL or a context may lead back to this machine's own engine: say so, since an
    // image is then only sent with --transfer always.
    const where = target.remote
      ? ' (remote)'
      : target.label === 'local engine'
        ? ''
        : " (this machine's engine)"
    detail(`target: ${target.label}${where}, Docker ${info.stdout.trim()}`)
    return target.label
  },
})

export const stack = defineStep<ReleaseContext>({
  name: 'stack',
  changes: false,
  run: async (c) => {
    const { project } = c.o
    const running = (await apiContainers(project)).filter((a) => a.running)
    const edge = await edgeContainer(project)
    if (running.length !== 1 || !edge)
      throw new StopError(
        running.length > 1
          ? `${running.length} api containers run (${running.map((a) => a.name).join(', ')}): an earlier deploy was interrupted`
          : `the stack ${project} is not running on ${need(c.target, 'the target').label} (api: ${running.length}, edge: ${edge ? 1 : 0})`,
        running.length > 1
          ? 'see which one the edge serves (make deploy-history), remove the other with docker rm -f'
          : 'start it with `make up` (compose up) first'
      )
    c.current = running[0]!
    c.edge = edge
    c.helper = await helperImage(project)
    return `live: ${c.current.version} (${c.current.name})`
  },
})

export const state = defineStep<ReleaseContext>({
  name: 'history and free disk',
  changes: false,
  retries: 2,
  run: async (c) => {
    const s = await readTargetState(c.o.project, need(c.helper, 'the helper image'))
    if (s.skipped) detail(`history: ${s.skipped} damaged line(s) skipped`)
    if (s.freeMB < c.o.minFreeMB)
      throw new StopError(
        `the target has ${s.freeMB} MB free, less than --min-free-mb ${c.o.minFreeMB}`,
        'free space on the target (old images: docker image ls) and retry'
      )
    c.history = s.history
    c.freeMB = s.freeMB
    return `${s.history.length} entries; ${s.freeMB} MB free`
  },
})

export const version = defineStep<ReleaseContext>({
  name: 'version',
  changes: false,
  run: async (c) => {
    const current = need(c.current, 'the live api').version
    const v = await resolveVersion(c, current)
    if (v === current) throw new StopError(`${v} is already live`, 'nothing to do')
    c.version = v
    return `${c.o.kind} ${current} → ${v} on ${need(c.target, 'the target').label}`
  },
})

async function resolveVersion(c: ReleaseContext, current: string): Promise<string> {
  if (c.o.version) return c.o.version
  if (c.o.kind === 'rollback') {
    const previous = previousVersion(c.history, current)
    if (!previous)
      throw new StopError(
        `no earlier release is recorded on this target (live: ${current})`,
        'name one: make rollback VERSION=… (make deploy-history lists them)'
      )
    return previous
  }
  const sha = (await q`git rev-parse HEAD`).stdout
  const dirty = (await q`git status --porcelain --untracked-files=no`).stdout.trim() !== ''
  if (dirty && !c.o.allowDirty)
    throw new StopError(
      'the git tree has uncommitted changes: the release would not match its commit',
      'commit them, or pass --allow-dirty (the tag gets a -dirty suffix)'
    )
  return versionFromGit(sha, dirty)
}

/**
 * The account the smoke check signs in with. Its password lives in the env file (made once);
 * it is set on every run, so the account exists and matches whatever happened to the database.
 */
export const smokeAccount = defineStep<ReleaseContext>({
  name: 'smoke account',
  changes: true,
  plan: (c) =>
    `make sure the smoke account ${c.settings?.get('SMOKE_EMAIL') || DEFAULT_SMOKE_EMAIL} exists (its password in ${c.o.envFile})`,
  run: async (c) => {
    const env = need(c.settings, 'the settings')
    const email = env.get('SMOKE_EMAIL') || DEFAULT_SMOKE_EMAIL
    let password = env.get('SMOKE_PASSWORD')
    if (!password) {
      password = randomBytes(18).toString('base64url')
      await setEnvValue(c.o.envFile, 'SMOKE_PASSWORD', password)
      detail(`added SMOKE_PASSWORD to ${c.o.envFile}`)
    }
    await $({
      quiet: true,
      timeout: '60s',
      env: childEnv({ USER_PASSWORD: password }),
    })`docker exec -e USER_PASSWORD ${need(c.current, 'the live api').name} node /app/user.js add ${email}`
    c.smoke = { email, password }
    // Whatever fails from here on is recorded in the history on the target.
    c.recording = true
    return email
  },
})
