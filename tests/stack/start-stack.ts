// Starting a throwaway stack for a suite: the stack suite's global setup and the chaos suite's
// (with its overlay) share this, so both build, start and sign in the same way.
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { DockerComposeEnvironment, Wait } from 'testcontainers'
import { ensureLocalCerts, localCertPaths } from '../../ops/lib/local-ca.ts'
import { CERTS_DIR } from '../../ops/lib/compose.ts'
import { DEFAULT_TAG, IMAGE_NAMES, imageRef } from '../../ops/lib/images.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import { scratchStack } from '../support/scratch-stack.ts'
import type { StackInfo } from './stack.ts'

const exec = promisify(execFile)
const SERVICES = ['postgres', 'stt', 'api', 'edge']

/** Runs an ops script with its output shown, so a slow image build is visibly alive. */
export function runOpsScript(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(fromRoot('node_modules/.bin/tsx'), [fromRoot('ops', script)], {
      stdio: 'inherit',
    })
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`ops/${script} exited with ${code}`))
    )
  })
}

const engineAnswers = () =>
  exec('docker', ['info']).then(
    () => true,
    () => false
  )
const canInstallEngine = () =>
  process.getuid?.() === 0 &&
  exec('sh', ['-c', 'command -v apt-get']).then(
    () => true,
    () => false
  )

/**
 * Whether a stack can run here. Without an engine it throws under CI and returns false (after
 * one line saying why) elsewhere, so a suite can skip.
 */
export async function dockerUsable(suite: string): Promise<boolean> {
  if ((await engineAnswers()) || (await canInstallEngine())) return true
  if (process.env.CI)
    throw new Error(
      `${suite}: no Docker engine and none can be installed here (need root and apt-get)`
    )
  console.log(
    `${suite} skipped: no Docker engine answers (run make bootstrap as root, or start Docker)`
  )
  return false
}

/**
 * Engine, base image and the stack's images (medic-scribe/*:SCRIBE_TAG), as make up does.
 * `reuseBuilt`: when every image already exists, skip the build (a suite that runs right after
 * another one that built them from the same tree, as the chaos suite after the stack suite).
 */
export async function prepareImages(opts: { reuseBuilt?: boolean } = {}): Promise<void> {
  const built =
    opts.reuseBuilt &&
    (await Promise.all(
      IMAGE_NAMES.map((n) => exec('docker', ['image', 'inspect', imageRef(n)]))
    ).then(
      () => true,
      () => false
    ))
  if (built) console.log(`images medic-scribe/*:${DEFAULT_TAG} exist: not rebuilt`)
  else {
    await runOpsScript('bootstrap.ts')
    await runOpsScript('build-images.ts')
  }
  await ensureLocalCerts(CERTS_DIR, ['localhost', '127.0.0.1'])
}

export type StartedStack = { info: StackInfo; down: () => Promise<void> }

/**
 * Starts a scratch stack (own project name, secrets and ports) through Testcontainers' compose
 * support, waits until every service is healthy, and adds a clinician account.
 */
export async function startScratchStack(opts: {
  prefix: string
  label: string
  env?: Record<string, string>
  extraFiles?: string[]
  extraServices?: string[]
}): Promise<StartedStack> {
  const scratch = await scratchStack(opts.prefix)
  const { project: projectName, httpPort, httpsPort } = scratch
  const env = { ...scratch.env, SCRIBE_TAG: DEFAULT_TAG, ...opts.env }
  const started = Date.now()
  let compose = new DockerComposeEnvironment(fromRoot('compose'), [
    'compose.yml',
    'compose.local.yml',
    ...(opts.extraFiles ?? []),
  ])
    .withProjectName(projectName)
    .withEnvironment(env)
    .withStartupTimeout(240_000)
  for (const s of [...SERVICES, ...(opts.extraServices ?? [])])
    compose = compose.withWaitStrategy(`${s}-1`, Wait.forHealthCheck())
  const environment = await compose.up()
  console.log(
    `${opts.label}: ${projectName} healthy in ${((Date.now() - started) / 1000).toFixed(1)} s (https://localhost:${httpsPort})`
  )

  const email = 'clinician@example.org'
  const password = randomBytes(12).toString('base64url')
  await exec('docker', [
    'exec',
    '-e',
    `USER_PASSWORD=${password}`,
    `${projectName}-api-1`,
    'node',
    '/app/user.js',
    'add',
    email,
  ])
  const info: StackInfo = {
    projectName,
    httpPort,
    httpsPort,
    caCert: localCertPaths(CERTS_DIR).caCert,
    email,
    password,
    env,
    ...(opts.extraFiles ? { extraFiles: opts.extraFiles } : {}),
  }
  return {
    info,
    down: () => environment.down({ removeVolumes: true, timeout: 20_000 }).then(() => {}),
  }
}

/**
 * A suite's global setup: the stack described in `reuseFile` when it exists (left running), else
 * images prepared (`prepare`) and a scratch stack started. With `reuseFile` set, the new stack is
 * described there and kept for the next run (no `down`); without, `down` removes it. No engine:
 * `info` is null (the suite skips; under CI `dockerUsable` throws).
 */
export async function reuseOrStart(o: {
  reuseFile: string | undefined
  stack: Parameters<typeof startScratchStack>[0]
  prepare: () => Promise<unknown>
}): Promise<{ info: StackInfo | null; down?: () => Promise<void> }> {
  const { label } = o.stack
  // The reaper image cannot be pulled here; `down` removes what the suite started, and the
  // tests' own containers (a reused stack's too) are stopped by the tests.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true'
  if (o.reuseFile && existsSync(o.reuseFile)) {
    const info = JSON.parse(readFileSync(o.reuseFile, 'utf8')) as StackInfo
    console.log(`${label}: reusing ${info.projectName} from ${o.reuseFile} (left running)`)
    return { info }
  }
  if (!(await dockerUsable(label))) return { info: null }
  await o.prepare()
  const { info, down } = await startScratchStack(o.stack)
  if (!o.reuseFile) return { info, down }
  // Kept for the next run: iterate on one test file without rebuilding the stack each time.
  writeFileSync(o.reuseFile, JSON.stringify(info, null, 2), { mode: 0o600 })
  console.log(`${label}: ${info.projectName} kept running, described in ${o.reuseFile}`)
  return { info }
}
