// Everything checked before anything changes: settings and secrets, the engine, the running
// stack, the lock, free disk, the version, a clean tree, and the smoke account.
import { randomBytes } from 'node:crypto'
import { $, fs } from 'zx'
import { parseEnvFile, setEnvValue } from '../../lib/env-file.ts'
import { StopError } from '../../lib/errors.ts'
import { previousVersion, versionFromGit } from '../../lib/release.ts'
import type { HistoryEntry } from '../../lib/history.ts'
import { detail } from '../../lib/step.ts'
import { selectTarget, whoAmI } from '../../lib/target.ts'
import type { Target } from '../../lib/target.ts'
import {
  acquireDeployLock,
  helperImage,
  readDeployLock,
  readTargetState,
} from '../../lib/target-state.ts'
import type { ReleaseOptions } from './options.ts'
import { apiContainers, composeFor, edgeContainer } from './stack.ts'
import type { ApiContainer } from './stack.ts'

const q = $({ quiet: true, timeout: '60s' })
const REQUIRED = ['POSTGRES_PASSWORD', 'JWT_SECRET']
export const DEFAULT_SMOKE_EMAIL = 'deploy-smoke@example.org'

export type Preflight = {
  target: Target
  who: string
  current: ApiContainer
  edge: string
  helper: string
  history: HistoryEntry[]
  version: string
  smoke: { email: string; password: string }
  release: () => Promise<void>
}

export async function preflight(o: ReleaseOptions): Promise<Preflight> {
  if (!(await fs.pathExists(o.envFile)))
    throw new StopError(`${o.envFile} is missing`, 'run `make up` once: it writes the secrets')
  const env = parseEnvFile(await fs.readFile(o.envFile, 'utf8'))
  const missing = REQUIRED.filter((k) => !env.get(k))
  if (missing.length)
    throw new StopError(`${o.envFile} lacks ${missing.join(', ')}`, 'run `make up`: it adds them')

  const target = await selectTarget(o.context)
  const info = await q`docker info --format {{.ServerVersion}}`.nothrow()
  if (!info.ok)
    throw new StopError(
      `the target (${target.label}) does not answer: ${info.stderr.trim().split('\n').at(-1)}`,
      'check the context / DOCKER_HOST and that ssh to the host works'
    )
  const config = await q`docker ${composeFor(o)} config --quiet`.nothrow()
  if (!config.ok)
    throw new StopError(
      `the compose configuration is invalid: ${config.stderr.trim().split('\n').at(-1)}`,
      `fix ${o.envFile} or compose/*.yml`
    )
  // An ssh URL or a context may lead back to this machine's own engine: say so, since an image
  // is then only sent with --transfer always.
  const where = target.remote
    ? ' (remote)'
    : target.label === 'local engine'
      ? ''
      : " (this machine's engine)"
  detail(`target: ${target.label}${where}, Docker ${info.stdout.trim()}`)

  const apis = await apiContainers(o.project)
  const running = apis.filter((a) => a.running)
  const edge = await edgeContainer(o.project)
  if (running.length !== 1 || !edge)
    throw new StopError(
      running.length > 1
        ? `${running.length} api containers run (${running.map((a) => a.name).join(', ')}): an earlier deploy was interrupted`
        : `the stack ${o.project} is not running on ${target.label} (api: ${running.length}, edge: ${edge ? 1 : 0})`,
      running.length > 1
        ? 'see which one the edge serves (make deploy-history), remove the other with docker rm -f'
        : 'start it with `make up` (compose up) first'
    )
  const current = running[0]!
  const helper = await helperImage(o.project)

  const who = await whoAmI()
  let release = async () => {}
  if (o.dryRun) {
    const holder = await readDeployLock(o.project)
    if (holder)
      detail(`the lock is held now by ${holder.who} (${holder.holder} since ${holder.since})`)
  } else {
    release = await acquireDeployLock(o.project, helper, o.kind, who)
  }
  try {
    const state = await readTargetState(o.project, helper)
    if (state.skipped) detail(`history: ${state.skipped} damaged line(s) skipped`)
    if (state.freeMB < o.minFreeMB)
      throw new StopError(
        `the target has ${state.freeMB} MB free, less than --min-free-mb ${o.minFreeMB}`,
        'free space on the target (old images: docker image ls) and retry'
      )
    const version = await resolveVersion(o, current.version, state.history)
    if (version === current.version)
      throw new StopError(`${version} is already live`, 'nothing to do')
    const smoke = await ensureSmokeAccount(o, current.name, env)
    detail(
      `live: ${current.version} (${current.name}); next: ${version}; ${state.freeMB} MB free; smoke account ${smoke.email}`
    )
    return { target, who, current, edge, helper, history: state.history, version, smoke, release }
  } catch (err) {
    await release()
    throw err
  }
}

async function resolveVersion(
  o: ReleaseOptions,
  current: string,
  history: HistoryEntry[]
): Promise<string> {
  if (o.version) return o.version
  if (o.kind === 'rollback') {
    const previous = previousVersion(history, current)
    if (!previous)
      throw new StopError(
        `no earlier release is recorded on this target (live: ${current})`,
        'name one: make rollback VERSION=… (make deploy-history lists them)'
      )
    return previous
  }
  const sha = (await q`git rev-parse HEAD`).stdout
  const dirty = (await q`git status --porcelain --untracked-files=no`).stdout.trim() !== ''
  if (dirty && !o.allowDirty)
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
async function ensureSmokeAccount(
  o: ReleaseOptions,
  api: string,
  env: Map<string, string>
): Promise<{ email: string; password: string }> {
  const email = env.get('SMOKE_EMAIL') || DEFAULT_SMOKE_EMAIL
  let password = env.get('SMOKE_PASSWORD')
  if (o.dryRun) return { email, password: password ?? '(made on the first deploy)' }
  if (!password) {
    password = randomBytes(18).toString('base64url')
    await setEnvValue(o.envFile, 'SMOKE_PASSWORD', password)
    detail(`added SMOKE_PASSWORD to ${o.envFile}`)
  }
  await $({
    quiet: true,
    timeout: '60s',
    env: { ...process.env, USER_PASSWORD: password },
  })`docker exec -e USER_PASSWORD ${api} node /app/user.js add ${email}`
  return { email, password }
}
