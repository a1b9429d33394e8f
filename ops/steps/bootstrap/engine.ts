import { spawn } from 'node:child_process'
import { $, fs } from 'zx'
import type { OpsContext } from '../../lib/context.ts'
import { dockerInfoError, dockerServerVersion, waitForDocker } from '../../lib/docker.ts'
import { StopError } from '../../lib/errors.ts'
import { detail } from '../../lib/step.ts'
import { aptInstall, canAptInstall, hasCommand, isRoot } from '../../lib/system.ts'

export const DOCKERD_LOG = '/var/log/dockerd.log'
const INSTALL_HINT =
  'install Docker Engine (Debian/Ubuntu: `sudo apt-get install docker.io`) or Docker Desktop, start it, then rerun `make bootstrap`'

/** A dockerd from an earlier run that is still starting. */
async function dockerdRunning(): Promise<boolean> {
  return (await $({ quiet: true, nothrow: true })`pgrep -x dockerd`).ok
}

/** Starts dockerd in its own session, so it outlives this script; its log goes to a file. */
function startDockerd(): { alive: () => boolean } {
  const log = fs.openSync(DOCKERD_LOG, 'a')
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] })
  let alive = true
  child.on('exit', () => (alive = false))
  child.unref()
  fs.closeSync(log)
  return { alive: () => alive }
}

const tailOfLog = async (): Promise<string> =>
  (await fs.readFile(DOCKERD_LOG, 'utf8')).trim().split('\n').slice(-5).join('\n')

/** Makes sure a Docker engine answers: installs and starts one only as root on Debian. */
export async function ensureEngine(ctx: OpsContext): Promise<string> {
  const running = await dockerServerVersion()
  if (running) return `engine ${running} answers`
  const why = await dockerInfoError()
  detail(`\`docker info\` gets no answer${why ? ` (${why})` : ''}`)

  const installed = (await hasCommand('dockerd')) && (await hasCommand('docker'))
  if (!installed) {
    if (!(await canAptInstall())) {
      throw new StopError('no Docker engine answers and none is installed', INSTALL_HINT)
    }
    await aptInstall(ctx, ['docker.io', 'debootstrap'])
    // Where an init system runs, the package starts the engine itself.
    if (!ctx.dryRun && (await waitForDocker(2000))) return `installed docker.io; engine answers`
  }
  if (!isRoot()) {
    throw new StopError(
      'the Docker engine is installed but does not answer',
      'start it (`sudo systemctl start docker`, or open Docker Desktop) and check that your user may use it (`sudo usermod -aG docker $USER`, then log in again)'
    )
  }
  if (ctx.dryRun) {
    detail(`would start dockerd in the background (log: ${DOCKERD_LOG})`)
    return 'dry run'
  }
  let alive = () => true
  if (await fs.pathExists('/run/systemd/system')) {
    await ctx.runQuiet`systemctl start docker`
  } else if (await dockerdRunning()) {
    detail('a dockerd is already starting; waiting for it')
  } else {
    detail(`starting dockerd in the background (log: ${DOCKERD_LOG})`)
    alive = startDockerd().alive
  }
  if (!(await waitForDocker(60_000, alive))) {
    throw new StopError(
      `dockerd did not answer within 60 s; its log ends with:\n${await tailOfLog()}`,
      `read ${DOCKERD_LOG}; the engine needs root, cgroups and iptables`
    )
  }
  return `started dockerd ${await dockerServerVersion()} (log: ${DOCKERD_LOG})`
}
