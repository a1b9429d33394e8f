// The release's image: built on this machine from the git tree, then, when the target is
// another engine (or --transfer always), sent with `docker save | docker load` over the same
// connection the docker CLI uses (ssh for DOCKER_HOST=ssh://…): no registry needed.
import { $, quote } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { imageRef } from '../../lib/images.ts'
import { fromRoot } from '../../lib/paths.ts'
import { detail } from '../../lib/step.ts'
import { localEnv } from '../../lib/target.ts'
import type { Target } from '../../lib/target.ts'
import type { ReleaseOptions } from './options.ts'

const idOf = async (ref: string, env?: NodeJS.ProcessEnv): Promise<string | undefined> => {
  const out = await $({
    quiet: true,
    nothrow: true,
    timeout: '60s',
    ...(env ? { env } : {}),
  })`docker image inspect --format {{.Id}} ${ref}`
  return out.ok ? out.stdout.trim() : undefined
}

export async function buildRelease(version: string): Promise<string> {
  await $({
    stdio: ['ignore', 'inherit', 'inherit'],
    env: localEnv(),
  })`${fromRoot('node_modules/.bin/tsx')} ${fromRoot('ops/build-images.ts')} --only api --tag ${version}`
  return `${imageRef('api', version)} built`
}

/** Makes sure the target has the release image; returns what it did. */
export async function ensureOnTarget(
  o: ReleaseOptions,
  target: Target,
  version: string
): Promise<string> {
  const ref = imageRef('api', version)
  const there = await idOf(ref)
  const send = o.transfer === 'always' || (target.remote && o.transfer === 'if-missing')
  if (!send) {
    if (there) return `${ref} is on the target`
    throw new StopError(
      `${ref} is not on the target (${target.label})`,
      o.kind === 'rollback'
        ? 'only the last --keep releases stay; deploy that version again from its commit'
        : 'build it (make deploy without VERSION) or tag it, then retry'
    )
  }
  const here = await idOf(ref, localEnv())
  if (!here) throw new StopError(`${ref} is not on this machine to send`, 'build it first')
  if (here === there && o.transfer !== 'always') return `${ref} is already on the target`
  detail(`sending ${ref} to ${target.label} (docker save | docker load)`)
  const started = performance.now()
  // One pipeline under pipefail: save from the local engine, load into the target.
  const local = '-u DOCKER_HOST DOCKER_CONTEXT=default '
  await $({
    quiet: true,
    timeout: '30m',
  })`bash -c ${`set -euo pipefail; env ${local}docker save ${quote(ref)} | docker load`}`
  const loaded = await idOf(ref)
  if (loaded !== here)
    throw new StopError(`the target has a different ${ref} after loading`, 'retry the deploy')
  return `${ref} sent in ${((performance.now() - started) / 1000).toFixed(1)} s`
}
