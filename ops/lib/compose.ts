import { $, path } from 'zx'
import { fromRoot } from './paths.ts'

export type StackMode = 'local' | 'prod'

export const ENV_FILE = fromRoot('compose', '.env')
export const CERTS_DIR = fromRoot('compose', 'certs')

/**
 * The `docker compose` arguments for a mode: the base file, the mode's file, the env file.
 * `project` and `envFile` let a deploy act on another project than compose.yml's name;
 * `envFile: null` reads settings from the process environment only (test and bench stacks);
 * `monitor` adds compose.monitor.yml; `extraFiles` are further overlays merged last, in order
 * (a name in compose/ such as `compose.chaos.yml`, or an absolute path to an override).
 */
export function composeArgs(
  mode: StackMode = 'local',
  opts: { project?: string; envFile?: string | null; monitor?: boolean; extraFiles?: string[] } = {}
): string[] {
  return [
    'compose',
    ...(opts.project ? ['-p', opts.project] : []),
    '--project-directory',
    fromRoot('compose'),
    '-f',
    fromRoot('compose', 'compose.yml'),
    '-f',
    fromRoot('compose', `compose.${mode}.yml`),
    // The monitor (Prometheus, Alertmanager, exporters): compose.monitor.yml on top.
    ...(opts.monitor ? ['-f', fromRoot('compose', 'compose.monitor.yml')] : []),
    ...(opts.extraFiles ?? []).flatMap((f) => [
      '-f',
      path.isAbsolute(f) ? f : fromRoot('compose', f),
    ]),
    ...(opts.envFile === null ? [] : ['--env-file', opts.envFile ?? ENV_FILE]),
  ]
}

/** Runs `docker compose …` for the stack, output streamed. */
export const compose = (
  mode: StackMode,
  args: string[],
  opts: { monitor?: boolean; timeout?: 0 } = {}
) =>
  $({
    stdio: 'inherit',
    ...(opts.timeout === 0 ? { timeout: 0 } : {}),
  })`docker ${composeArgs(mode, opts)} ${args}`

/** Same, quiet, for reading answers. */
export const composeQuiet = (mode: StackMode, args: string[], opts: { monitor?: boolean } = {}) =>
  $({ quiet: true })`docker ${composeArgs(mode, opts)} ${args}`
