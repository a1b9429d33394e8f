#!/usr/bin/env -S npx tsx
// Starts the stack (after `make bootstrap images`): secrets, local certificates, compose up,
// wait until every service is healthy, a first account, and how to sign in. The steps live in
// ops/steps/up/.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { runScript } from './lib/main.ts'
import { runPipeline } from './lib/pipeline.ts'
import { createUpContext, upPipeline } from './steps/up/index.ts'

const USAGE = `
Usage: npx tsx ops/up.ts [--mode local|prod] [--monitor|--no-monitor] [--dry-run]
       (make up runs bootstrap and images first)

  1. writes compose/.env (or SCRIBE_ENV_FILE) with random secrets on first run (never
     overwrites one);
  2. local mode: a local CA and a certificate for localhost in compose/certs/;
  3. with the monitor: its configuration rendered from compose/.env;
  4. if the database volume already exists: checks that compose/.env's POSTGRES_PASSWORD opens
     it, and stops with what to do if it does not (a lost or regenerated compose/.env);
  5. docker compose up -d --wait: every service healthy, or it stops and shows the logs;
  6. creates a first clinician account if there is none (FIRST_USER_EMAIL, default
     clinician@example.org) and prints its password once;
  7. prints the URL and how to sign in.

  --monitor     also start the monitor (Prometheus, Alertmanager, blackbox and node exporters,
                compose/compose.monitor.yml): its images are built when their folder changed,
                its configuration rendered from compose/.env. On by default in prod mode
                (MONITOR_ENABLED=true|false in compose/.env decides otherwise); --no-monitor
                stops it. See RUNBOOK.md#monitoring-and-alerts.
`

await runScript(async () => {
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
  const ctx = await createUpContext({
    mode: flags.mode,
    monitorFlag: flags.monitor,
    dryRun: flags['dry-run'],
  })
  await runPipeline(upPipeline, ctx)
})
