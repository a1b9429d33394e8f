#!/usr/bin/env -S npx tsx
// Starts the stack (after `make bootstrap images`): secrets, local certificates, compose up,
// wait until every service is healthy, a first account, and how to sign in.
import { randomBytes } from 'node:crypto'
import { $, echo } from 'zx'
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { handleError } from './lib/errors.ts'
import { step, summary } from './lib/step.ts'
import { CERTS_DIR, ENV_FILE, compose, composeArgs, composeQuiet } from './lib/compose.ts'
import type { StackMode } from './lib/compose.ts'
import { ensureEnvFile, parseEnvFile } from './lib/env-file.ts'
import { ensureLocalCerts, localCertPaths } from './lib/local-ca.ts'
import { createContext } from './lib/context.ts'
import { loadOpsEnv } from './lib/env.ts'
import { monitorWanted, prepareMonitor } from './lib/monitor/prepare.ts'

const USAGE = `
Usage: npx tsx ops/up.ts [--mode local|prod] [--monitor|--no-monitor] [--dry-run]
       (make up runs bootstrap and images first)

  1. writes compose/.env with random secrets on first run (never overwrites one);
  2. local mode: a local CA and a certificate for localhost in compose/certs/;
  3. docker compose up -d --wait: every service healthy, or it stops and shows the logs;
  4. creates a first clinician account if there is none (FIRST_USER_EMAIL, default
     clinician@example.org) and prints its password once;
  5. prints the URL and how to sign in.

  --monitor     also start the monitor (Prometheus, Alertmanager, blackbox and node exporters,
                compose/compose.monitor.yml): its images are built when their folder changed,
                its configuration rendered from compose/.env. On by default in prod mode
                (MONITOR_ENABLED=true|false in compose/.env decides otherwise); --no-monitor
                stops it. See RUNBOOK.md#monitoring-and-alerts.
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
      // Not a declared boolean: absent must stay undefined (the setting or the mode decides).
      monitor: z.boolean().optional(),
    },
  })
  const mode: StackMode = flags.mode
  const dryRun = flags['dry-run']
  await step('secrets', async () => {
    const added = await ensureEnvFile(ENV_FILE, dryRun)
    return added.length
      ? `${dryRun ? 'would add' : 'added'} ${added.join(', ')} to compose/.env`
      : 'compose/.env is complete'
  })
  if (mode === 'local')
    await step('local certificates', () =>
      ensureLocalCerts(CERTS_DIR, ['localhost', '127.0.0.1'], dryRun)
    )
  const opsEnv = await loadOpsEnv()
  const monitor = monitorWanted(flags.monitor, opsEnv, mode)
  if (monitor) {
    // compose.monitor.yml reads these; compose takes the process environment over the env file.
    Object.assign(process.env, await prepareMonitor(createContext({ dryRun }), opsEnv, mode))
  }
  if (dryRun) {
    echo(
      'dry run: would run docker compose up -d --wait, then create a first account if none exists'
    )
  } else {
    await step('start the stack', async () => {
      try {
        // --remove-orphans: without --monitor, a monitor started earlier is stopped.
        await compose(mode, ['up', '-d', '--wait', '--wait-timeout', '180', '--remove-orphans'], {
          monitor,
        })
      } catch (err) {
        await compose(mode, ['ps', '-a'], { monitor }).catch(() => {})
        await compose(mode, ['logs', '--tail', '40'], { monitor }).catch(() => {})
        throw err
      }
      return monitor ? 'every service is healthy, the monitor too' : 'every service is healthy'
    })
    if (monitor) {
      // A running Prometheus, Alertmanager and blackbox exporter reread their rendered files.
      await step('reload the monitor configuration', async () => {
        await composeQuiet(
          mode,
          ['kill', '-s', 'SIGHUP', 'prometheus', 'alertmanager', 'blackbox'],
          {
            monitor,
          }
        )
        return `Prometheus on http://127.0.0.1:${opsEnv.PROMETHEUS_PORT}, Alertmanager on http://127.0.0.1:${opsEnv.ALERTMANAGER_PORT}`
      })
    }
    await step('first account', async () => {
      const count = Number(
        (
          await composeQuiet(mode, ['exec', '-T', 'api', 'node', '/app/user.js', 'count'])
        ).stdout.trim()
      )
      if (count > 0) return `${count} account(s) exist`
      const email = process.env.FIRST_USER_EMAIL ?? 'clinician@example.org'
      const password = randomBytes(12).toString('base64url')
      await $({
        quiet: true,
        env: { ...process.env, USER_PASSWORD: password },
      })`docker ${composeArgs(mode)} exec -T -e USER_PASSWORD api node /app/user.js add ${email}`
      echo(
        `  created ${email} with the password ${password} (shown once: change it with make user-stack ARGS="add ${email}")`
      )
      return `created ${email}`
    })
    const env = parseEnvFile(await $({ quiet: true })`cat ${ENV_FILE}`.then((o) => o.stdout))
    const port = process.env.HTTPS_PORT ?? env.get('HTTPS_PORT') ?? '8443'
    const host =
      mode === 'local'
        ? `https://localhost:${port}`
        : `https://${env.get('SERVER_NAME') ?? 'your-server'}`
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
