#!/usr/bin/env -S npx tsx
// Everyday stack commands: down (volumes kept), logs, ps, and user (accounts in the running api).
// Each is a one-step pipeline on the shared runner, so `down --dry-run` says what it would stop.
import { echo } from 'zx'
import { compose } from './lib/compose.ts'
import type { StackMode } from './lib/compose.ts'
import { createContext } from './lib/context.ts'
import type { OpsContext } from './lib/context.ts'
import { loadOpsEnv } from './lib/env.ts'
import { StopError } from './lib/errors.ts'
import { runScript } from './lib/main.ts'
import { defineStep, runPipeline } from './lib/pipeline.ts'
import type { Step } from './lib/pipeline.ts'

const USAGE = `Usage: npx tsx ops/stack.ts down|logs|ps|user [args…] [--dry-run]
  down   stop and remove the containers; the audio, notes and pgdata volumes are kept
  logs   follow the logs of every service (or of the services named)
  ps     the services and their health
  user   run the account command in the api container: user add EMAIL [--admin] | grant-admin EMAIL | revoke-admin EMAIL | count
  The mode (local or prod) comes from STACK_MODE in compose/.env or the environment.`

type StackContext = OpsContext & { mode: StackMode; rest: string[] }

// compose.monitor.yml is always included: its services are stopped, listed and followed with
// the others when they run, and left alone (nothing to do) when they do not.
const all = { monitor: true }

const COMMANDS: Record<string, Step<StackContext>> = {
  down: defineStep<StackContext>({
    name: 'stop the stack and its monitor (volumes kept)',
    changes: true,
    plan: (c) =>
      `run docker compose down for the ${c.mode} stack and its monitor (volumes kept: audio, notes, pgdata, prometheus, alertmanager)`,
    run: async (c) => void (await compose(c.mode, ['down'], all)),
  }),
  logs: defineStep<StackContext>({
    name: 'logs',
    changes: false,
    // Followed until the operator stops it: no time limit.
    run: async (c) =>
      void (await compose(c.mode, ['logs', '--follow', '--tail', '100', ...c.rest], {
        ...all,
        timeout: 0,
      })),
  }),
  ps: defineStep<StackContext>({
    name: 'services',
    changes: false,
    run: async (c) => void (await compose(c.mode, ['ps', '--all'], all)),
  }),
  user: defineStep<StackContext>({
    name: 'accounts',
    changes: true,
    plan: (c) => `run user ${c.rest.join(' ')} in the api container`,
    run: async (c) =>
      void (await compose(c.mode, [
        'exec',
        ...(process.stdin.isTTY ? [] : ['-T']),
        'api',
        'node',
        '/app/user.js',
        ...c.rest,
      ])),
  }),
}

const args = process.argv.slice(2)
const [command, ...rest] = args.filter((a) => a !== '--dry-run')
if (command === undefined || command === '--help' || command === '-h') {
  echo(USAGE)
  if (command === undefined) process.exitCode = 1
} else {
  await runScript(async () => {
    const step = COMMANDS[command]
    if (!step) throw new StopError(`unknown command: ${command}`, 'see npx tsx ops/stack.ts --help')
    const env = await loadOpsEnv()
    const ctx: StackContext = {
      ...createContext({ dryRun: args.includes('--dry-run') }),
      mode: env.STACK_MODE,
      rest,
    }
    await runPipeline({ name: command, steps: [step] }, ctx)
  })
}
