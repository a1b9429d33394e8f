import { path } from 'zx'
import type { OpsContext } from '../../lib/context.ts'
import { buildxAvailable, formatMB, imageSize } from '../../lib/docker.ts'
import { BASE_IMAGE } from '../../lib/images.ts'
import { detail } from '../../lib/step.ts'
import { contextSize } from './stage.ts'

export const SIZE_GOAL = 250e6
/** Marks the images built here, so their superseded (dangling) versions can be pruned. */
export const IMAGE_LABEL = 'org.medic-scribe.image'

/** Removes this project's images that a rebuild left untagged, and nothing else. */
export async function pruneSuperseded(ctx: OpsContext): Promise<void> {
  await ctx.runQuiet`docker image prune --force --filter ${`label=${IMAGE_LABEL}`}`
}

/** `docker build` with its progress on the terminal; returns the image's size in bytes. */
export async function dockerBuild(ctx: OpsContext, dir: string, ref: string): Promise<number> {
  if (!ctx.dryRun) detail(`context ${dir} (${formatMB(await contextSize(dir))})`)
  // BuildKit (buildx) prints one line per step with --progress=plain; the legacy builder
  // (a bare engine without buildx) prints its steps anyway and knows no --progress.
  const progress = (await buildxAvailable()) ? ['--progress=plain'] : []
  const label = `${IMAGE_LABEL}=${path.basename(dir)}`
  await ctx.run`docker build ${progress} --build-arg BASE_IMAGE=${BASE_IMAGE} --label ${label} --tag ${ref} ${dir}`
  return ctx.dryRun ? 0 : ((await imageSize(ref)) ?? 0)
}
