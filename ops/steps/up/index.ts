// make up, as a pipeline: secrets, local certificates, the monitor's configuration, the database
// password against an existing volume, compose up with every service healthy, a first account,
// and where to sign in. Steps that check and honour the dry run themselves run in a dry run too.
import { randomBytes } from 'node:crypto'
import { $, echo } from 'zx'
import { CERTS_DIR, composeArgs } from '../../lib/compose.ts'
import type { StackMode } from '../../lib/compose.ts'
import { createContext } from '../../lib/context.ts'
import type { OpsContext } from '../../lib/context.ts'
import { checkDatabasePassword } from '../../lib/database-password.ts'
import { ensureEnvFile } from '../../lib/env-file.ts'
import { childEnv, exportToChildren, loadOpsEnv } from '../../lib/env.ts'
import type { OpsEnv } from '../../lib/env.ts'
import { StopError } from '../../lib/errors.ts'
import { ensureLocalCerts, localCertPaths } from '../../lib/local-ca.ts'
import { monitorWanted, prepareMonitor } from '../../lib/monitor/prepare.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'

export type UpContext = OpsContext & {
  mode: StackMode
  /** --monitor / --no-monitor; undefined lets MONITOR_ENABLED or the mode decide. */
  monitorFlag: boolean | undefined
  env: OpsEnv
  monitor: boolean
}

export async function createUpContext(o: {
  mode: StackMode
  monitorFlag: boolean | undefined
  dryRun: boolean
}): Promise<UpContext> {
  const env = await loadOpsEnv()
  return {
    ...createContext({ dryRun: o.dryRun }),
    ...o,
    env,
    monitor: monitorWanted(o.monitorFlag, env, o.mode),
  }
}

const args = (c: UpContext) =>
  composeArgs(c.mode, {
    project: c.env.COMPOSE_PROJECT_NAME,
    envFile: c.env.envFile,
    monitor: c.monitor,
  })
const compose = (c: UpContext, a: string[]) => $({ stdio: 'inherit' })`docker ${args(c)} ${a}`
const composeQuiet = (c: UpContext, a: string[]) => $({ quiet: true })`docker ${args(c)} ${a}`

const secrets = defineStep<UpContext>({
  name: 'secrets',
  changes: true,
  previews: true,
  run: async (c) => {
    const added = await ensureEnvFile(c.env.envFile, c.dryRun)
    // Read again: what was just written (the database password) is needed below.
    if (added.length && !c.dryRun) c.env = await loadOpsEnv()
    return added.length
      ? `${c.dryRun ? 'would add' : 'added'} ${added.join(', ')} to ${c.env.envFile}`
      : `${c.env.envFile} is complete`
  },
})

const localCertificates = defineStep<UpContext>({
  name: 'local certificates',
  changes: true,
  previews: true,
  skip: (c) => (c.mode === 'local' ? false : 'prod mode: make certs issues the real one'),
  run: (c) => ensureLocalCerts(CERTS_DIR, ['localhost', '127.0.0.1'], c.dryRun),
})

const monitorConfig = defineStep<UpContext>({
  name: 'monitor configuration',
  changes: true,
  previews: true,
  skip: (c) => (c.monitor ? false : 'the monitor is off (ARGS=--monitor starts it)'),
  run: async (c) => {
    // compose.monitor.yml reads these; compose takes the process environment over the env file.
    exportToChildren(await prepareMonitor(c, c.env, c.mode))
    return 'rendered from the settings'
  },
})

const databasePassword = defineStep<UpContext>({
  name: 'database password',
  changes: true,
  previews: true,
  run: async (c) => {
    const project = c.env.COMPOSE_PROJECT_NAME
    if (!c.env.POSTGRES_PASSWORD) return c.dryRun ? 'would be generated' : 'no password set'
    const check = await checkDatabasePassword({
      project,
      password: c.env.POSTGRES_PASSWORD,
      startPostgres: () =>
        c.dryRun
          ? Promise.reject(
              new StopError('dry run: postgres is not running', 'run without --dry-run')
            )
          : compose(c, ['up', '-d', '--wait', '--wait-timeout', '120', 'postgres']),
    })
    if (check === 'refused')
      throw new StopError(
        `the database in volume ${project}_pgdata refuses POSTGRES_PASSWORD from ${c.env.envFile}: that file was lost or regenerated after the volume was made`,
        `put back the ${c.env.envFile} that created the stack (from your backup of it) and run make up again; or, to start empty, make down && docker volume rm ${project}_pgdata (this deletes every note and account)`
      )
    return check === 'new-volume' ? 'a new database will take it' : 'the database accepts it'
  },
})

const start = defineStep<UpContext>({
  name: 'start the stack',
  changes: true,
  plan: (c) =>
    `run docker compose up -d --wait${c.monitor ? ' with the monitor' : ''} until every service is healthy`,
  run: async (c) => {
    try {
      // --remove-orphans: without --monitor, a monitor started earlier is stopped.
      await compose(c, ['up', '-d', '--wait', '--wait-timeout', '180', '--remove-orphans'])
    } catch (err) {
      await compose(c, ['ps', '-a']).catch(() => {})
      await compose(c, ['logs', '--tail', '40']).catch(() => {})
      throw err
    }
    return c.monitor ? 'every service is healthy, the monitor too' : 'every service is healthy'
  },
})

const reloadMonitor = defineStep<UpContext>({
  name: 'reload the monitor configuration',
  changes: true,
  skip: (c) => (c.monitor ? false : 'the monitor is off'),
  run: async (c) => {
    // A running Prometheus, Alertmanager and blackbox exporter reread their rendered files.
    await composeQuiet(c, ['kill', '-s', 'SIGHUP', 'prometheus', 'alertmanager', 'blackbox'])
    return `Prometheus on http://127.0.0.1:${c.env.PROMETHEUS_PORT}, Alertmanager on http://127.0.0.1:${c.env.ALERTMANAGER_PORT}`
  },
})

const firstAccount = defineStep<UpContext>({
  name: 'first account',
  changes: true,
  plan: (c) => `create ${c.env.FIRST_USER_EMAIL} if there is no account yet`,
  run: async (c) => {
    const count = Number(
      (await composeQuiet(c, ['exec', '-T', 'api', 'node', '/app/user.js', 'count'])).stdout.trim()
    )
    if (count > 0) return `${count} account(s) exist`
    const email = c.env.FIRST_USER_EMAIL
    const password = randomBytes(12).toString('base64url')
    await $({
      quiet: true,
      env: childEnv({ USER_PASSWORD: password }),
    })`docker ${args(c)} exec -T -e USER_PASSWORD api node /app/user.js add ${email}`
    echo(
      `  created ${email} with the password ${password} (shown once: change it with make user-stack ARGS="add ${email}")`
    )
    return `created ${email}`
  },
})

const signIn = defineStep<UpContext>({
  name: 'where to sign in',
  changes: false,
  skip: (c) => (c.dryRun ? 'dry run' : false),
  run: async (c) => {
    const host =
      c.mode === 'local'
        ? `https://localhost:${c.env.HTTPS_PORT ?? 8443}`
        : `https://${c.env.SERVER_NAME}`
    echo(`\nMedic Scribe is up: ${host}`)
    if (c.mode === 'local')
      echo(
        `  Trust the local CA once to avoid browser warnings: ${localCertPaths(CERTS_DIR).caCert}`
      )
    echo(
      '  Sign in with the account above; add accounts with: make user-stack ARGS="add someone@example.org"'
    )
    return host
  },
})

export const upPipeline: Pipeline<UpContext> = {
  name: 'up',
  steps: [
    secrets,
    localCertificates,
    monitorConfig,
    databasePassword,
    start,
    reloadMonitor,
    firstAccount,
    signIn,
  ],
}
