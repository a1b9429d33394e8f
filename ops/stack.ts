#!/usr/bin/env -S npx tsx
// Everyday stack commands: down (volumes kept), logs, ps, and user (accounts in the running api).
import { echo } from 'zx'
import { handleError } from './lib/errors.ts'
import { compose } from './lib/compose.ts'

const USAGE = `Usage: npx tsx ops/stack.ts down|logs|ps|user [args…]
  down   stop and remove the containers; the audio, notes and pgdata volumes are kept
  logs   follow the logs of every service (or of the services named)
  ps     the services and their health
  user   run the account command in the api container: user add EMAIL | user count`

const [command, ...rest] = process.argv.slice(2)
const mode = process.env.STACK_MODE === 'prod' ? 'prod' : 'local'
// compose.monitor.yml is always included: its services are stopped, listed and followed with
// the others when they run, and left alone (nothing to do) when they do not.
const all = { monitor: true }
try {
  switch (command) {
    case 'down':
      echo(
        'stopping the stack and its monitor (volumes kept: audio, notes, pgdata, prometheus, alertmanager)'
      )
      await compose(mode, ['down'], all)
      break
    case 'logs':
      await compose(mode, ['logs', '--follow', '--tail', '100', ...rest], all)
      break
    case 'ps':
      await compose(mode, ['ps', '--all'], all)
      break
    case 'user':
      await compose(mode, [
        'exec',
        ...(process.stdin.isTTY ? [] : ['-T']),
        'api',
        'node',
        '/app/user.js',
        ...rest,
      ])
      break
    default:
      echo(USAGE)
      if (command !== '--help' && command !== '-h') process.exitCode = 1
  }
} catch (err) {
  handleError(err)
}
