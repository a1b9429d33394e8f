import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { promisify } from 'node:util'
import type { TestProject } from 'vitest/node'
import { DockerComposeEnvironment, Wait } from 'testcontainers'
import type { StartedDockerComposeEnvironment } from 'testcontainers'
import { ensureLocalCerts, localCertPaths } from '../../ops/lib/local-ca.ts'
import { CERTS_DIR } from '../../ops/lib/compose.ts'
import { DEFAULT_TAG } from '../../ops/lib/images.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import { scratchStack } from '../support/scratch-stack.ts'
import type { StackInfo } from './stack.ts'

const exec = promisify(execFile)
const SERVICES = ['postgres', 'stt', 'api', 'edge']

/** Runs an ops script with its output shown, so a slow image build is visibly alive. */
function runScript(script: string): Promise<void> {
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

let environment: StartedDockerComposeEnvironment | undefined

/**
 * Builds the images and starts the whole stack once for the suite, through Testcontainers'
 * compose support. Without an engine it fails under CI and skips (one line) elsewhere.
 */
export default async function setup(project: TestProject) {
  // The reaper image cannot be pulled here; teardown below removes what the suite started, and
  // the tests' own containers (a reused stack's too) are stopped by the tests.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true'
  const reuse = process.env.STACK_REUSE
  if (reuse && existsSync(reuse)) {
    const info = JSON.parse(readFileSync(reuse, 'utf8')) as StackInfo
    console.log(`stack suite: reusing ${info.projectName} from ${reuse} (left running)`)
    project.provide('stack', info)
    return
  }
  if (!(await engineAnswers()) && !(await canInstallEngine())) {
    if (process.env.CI)
      throw new Error(
        'stack suite: no Docker engine and none can be installed here (need root and apt-get)'
      )
    console.log(
      'stack suite skipped: no Docker engine answers (run make bootstrap as root, or start Docker)'
    )
    project.provide('stack', null)
    return
  }
  await runScript('bootstrap.ts')
  await runScript('build-images.ts')
  await ensureLocalCerts(CERTS_DIR, ['localhost', '127.0.0.1'])

  const scratch = await scratchStack('scribe-test')
  const { project: projectName, httpPort, httpsPort } = scratch
  const env = {
    ...scratch.env,
    SCRIBE_TAG: DEFAULT_TAG,
    MAX_UPLOAD_MB: '5',
    JOB_LEASE_SECONDS: '10',
  }
  const started = Date.now()
  let compose = new DockerComposeEnvironment(fromRoot('compose'), [
    'compose.yml',
    'compose.local.yml',
  ])
    .withProjectName(projectName)
    .withEnvironment(env)
    .withStartupTimeout(240_000)
  for (const s of SERVICES) compose = compose.withWaitStrategy(`${s}-1`, Wait.forHealthCheck())
  environment = await compose.up()
  console.log(
    `stack suite: ${projectName} healthy in ${((Date.now() - started) / 1000).toFixed(1)} s (https://localhost:${httpsPort})`
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
  }
  project.provide('stack', info)
  if (reuse) {
    // Kept for the next run: iterate on one test file without rebuilding the stack each time.
    writeFileSync(reuse, JSON.stringify(info, null, 2), { mode: 0o600 })
    console.log(`stack suite: ${projectName} kept running, described in ${reuse}`)
    return
  }
  return async () => {
    await environment?.down({ removeVolumes: true, timeout: 20_000 })
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo | null
  }
}
