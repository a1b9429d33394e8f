#!/usr/bin/env -S npx tsx
// Starts the stack (after `make bootstrap images`): secrets, local certificates, compose up,
// wait until every service is healthy, a first account, and how to sign in.
import { randomBytes } from 'node:crypto'
import { $, echo } from 'zx'
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { handleError } from './lib/errors.ts'
import { step, summary } from './lib/step.ts'
import { CERTS_DIR, composeArgs } from './lib/compose.ts'
import type { StackMode } from './lib/compose.ts'
import { checkDatabasePassword } from './lib/database-password.ts'
import { ensureEnvFile } from './lib/env-file.ts'
import { loadOpsEnv } from './lib/env.ts'
import { StopError } from './lib/errors.ts'
import { ensureLocalCerts, localCertPaths } from './lib/local-ca.ts'

const USAGE = `
Usage: npx tsx ops/up.ts [--mode local|prod] [--dry-run]   (make up runs bootstrap and images first)

  1. writes compose/.env (or SCRIBE_ENV_FILE) with random secrets on first run (never
     overwrites one);
  2. local mode: a local CA and a certificate for localhost in compose/certs/;
  3. if the database volume already exists: checks that compose/.env's POSTGRES_PASSWORD opens
     it, and stops with what to do if it does not (a lost or regenerated compose/.env);
  4. docker compose up -d --wait: every service healthy, or it stops and shows the logs;
  5. creates a first clinician account if there is none (FIRST_USER_EMAIL, default
     clinician@example.org) and prints its password once;
  6. prints the URL and how to sign in.
`

const startedAt = performance.now()
try {
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    string: ['mode'],
    shape: {
      'dry-run': z.boolean().default(false),
      mode: z.enum(['local', 'prod']).default('local'),
    },
  })
  const mode: StackMode = flags.mode
  const dryRun = flags['dry-run']
  const { envFile } = await loadOpsEnv()
  await step('secrets', async () => {
    const added = await ensureEnvFile(envFile, dryRun)
    return added.length
      ? `${dryRun ? 'would add' : 'added'} ${added.join(', ')} to ${envFile}`
      : `${envFile} is complete`
  })
  const env = await loadOpsEnv()
  const project = env.COMPOSE_PROJECT_NAME
  const args = composeArgs(mode, { project, envFile })
  const compose = (a: string[]) => $({ stdio: 'inherit' })`docker ${args} ${a}`
  const composeQuiet = (a: string[]) => $({ quiet: true })`docker ${args} ${a}`
  if (mode === 'local')
    await step('local certificates', () =>
      ensureLocalCerts(CERTS_DIR, ['localhost', '127.0.0.1'], dryRun)
    )
  await step('database password', async () => {
    if (!env.POSTGRES_PASSWORD) return dryRun ? 'would be generated' : 'no password set'
    const check = await checkDatabasePassword({
      project,
      password: env.POSTGRES_PASSWORD,
      startPostgres: () =>
        dryRun
          ? Promise.reject(
              new StopError('dry run: postgres is not running', 'run without --dry-run')
            )
          : compose(['up', '-d', '--wait', '--wait-timeout', '120', 'postgres']),
    })
    if (check === 'refused')
      throw new StopError(
        `the database in volume ${project}_pgdata refuses POSTGRES_PASSWORD from ${envFile}: that file was lost or regenerated after the volume was made`,
        `put back the ${envFile} that created the stack (from your backup of it) and run make up again; or, to start empty, make down && docker volume rm ${project}_pgdata (this deletes every note and account)`
      )
    return check === 'new-volume' ? 'a new database will take it' : 'the database accepts it'
  })
  if (dryRun) {
    echo(
      'dry run: would run docker compose up -d --wait, then create a first account if none exists'
    )
  } else {
    await step('start the stack', async () => {
      try {
        await compose(['up', '-d', '--wait', '--wait-timeout', '180', '--remove-orphans'])
      } catch (err) {
        await compose(['ps', '-a']).catch(() => {})
        await compose(['logs', '--tail', '40']).catch(() => {})
        throw err
      }
      return 'every service is healthy'
    })
    await step('first account', async () => {
      const count = Number(
        (await composeQuiet(['exec', '-T', 'api', 'node', '/app/user.js', 'count'])).stdout.trim()
      )
      if (count > 0) return `${count} account(s) exist`
      const email = env.FIRST_USER_EMAIL
      const password = randomBytes(12).toString('base64url')
      await $({
        quiet: true,
        env: { ...process.env, USER_PASSWORD: password },
      })`docker ${args} exec -T -e USER_PASSWORD api node /app/user.js add ${email}`
      echo(
        `  created ${email} with the password ${password} (shown once: change it with make user-stack ARGS="add ${email}")`
      )
      return `created ${email}`
    })
    const port = env.HTTPS_PORT ?? 8443
    const host = mode === 'local' ? `https://localhost:${port}` : `https://${env.SERVER_NAME}`
    echo(`\nMedic Scribe is up: ${host}`)
    if (mode === 'local')
      echo(
        `  Trust the local CA once to avoid browser warnings: ${localCertPaths(CERTS_DIR).caCert}`
      )
    echo(
      '  Sign in with the account above; add accounts with: make user-stack ARGS="add someone@example.org"'
    )
  }
} catch (err) {
  handleError(err)
} finally {
  console.log(summary(startedAt))
}
