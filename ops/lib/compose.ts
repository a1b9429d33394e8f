import { $ } from 'zx'
import { fromRoot } from './paths.ts'

export type StackMode = 'local' | 'prod'

export const ENV_FILE = fromRoot('compose', '.env')
export const CERTS_DIR = fromRoot('compose', 'certs')

/**
 * The `docker compose` arguments for a mode: the base file, the mode's file, the env file.
 * `project` and `envFile` let a deploy act on another project than compose.yml's name;
 * `envFile: null` reads settings from the process environment only (test and bench stacks);
 * `extraFiles` are merged on top, in order (an override the caller wants checked or applied).
 */
export function composeArgs(
  mode: StackMode = 'local',
  opts: { project?: string; envFile?: string | null; extraFiles?: string[] } = {}
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
    ...(opts.extraFiles ?? []).flatMap((f) => ['-f', f]),
    ...(opts.envFile === null ? [] : ['--env-file', opts.envFile ?? ENV_FILE]),
  ]
}

/** Runs `docker compose …` for the stack, output streamed. */
export const compose = (mode: StackMode, args: string[]) =>
  $({ stdio: 'inherit' })`docker ${composeArgs(mode)} ${args}`

/** Same, quiet, for reading answers. */
export const composeQuiet = (mode: StackMode, args: string[]) =>
  $({ quiet: true })`docker ${composeArgs(mode)} ${args}`
