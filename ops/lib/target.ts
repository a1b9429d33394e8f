// The engine a deploy acts on: the local one, a Docker context (`--context`), or whatever
// DOCKER_HOST names (e.g. ssh://deploy@host). Every `docker` call of the deploy scripts goes to
// the target through the process environment; images are built on, and sent from, the local
// engine (`localEnv`).
import { hostname, userInfo } from 'node:os'
import { $ } from 'zx'
import { childEnv, dockerClient, useDockerContext } from './env.ts'
import { detail } from './step.ts'

export type Target = {
  /** What the operator sees in messages: `local engine`, `context prod`, `ssh://…`. */
  label: string
  /** True when the target engine is another engine than the local one. */
  remote: boolean
}

/** The environment for commands on the local engine (builds, `docker save`). */
export function localEnv(): NodeJS.ProcessEnv {
  return childEnv({ DOCKER_CONTEXT: 'default', DOCKER_HOST: undefined })
}

/**
 * Points this process's docker commands at the target and tells whether it is remote, by
 * comparing the engines' IDs (a context may well name the local engine).
 */
export async function selectTarget(context: string | undefined): Promise<Target> {
  const docker = dockerClient()
  if (context) {
    // The docker CLI lets DOCKER_HOST outrank DOCKER_CONTEXT: left set, it would silently take
    // the commands elsewhere than the context the messages name.
    if (docker.host) detail(`--context ${context} given: DOCKER_HOST=${docker.host} is ignored`)
    useDockerContext(context)
  }
  const label = context
    ? `context ${context}`
    : docker.host
      ? docker.host
      : docker.context
        ? `context ${docker.context}`
        : 'local engine'
  const id = (env?: NodeJS.ProcessEnv) =>
    $({
      quiet: true,
      nothrow: true,
      timeout: '30s',
      ...(env ? { env } : {}),
    })`docker info --format {{.ID}}`
  const [there, here] = await Promise.all([id(), id(localEnv())])
  const remote = !there.ok || !here.ok || there.stdout.trim() !== here.stdout.trim()
  return { label, remote }
}

/** Who runs this, for the lock and the history: git's user.email, else user@host. */
export async function whoAmI(): Promise<string> {
  const email = await $({ quiet: true, nothrow: true })`git config user.email`
  const user = email.ok && email.stdout.trim() ? email.stdout.trim() : userInfo().username
  return `${user}@${hostname()}`
}
