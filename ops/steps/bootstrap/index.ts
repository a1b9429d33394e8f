// make bootstrap, as a pipeline. Each step checks first and honours the dry run itself (it says
// what it would install or start), so a dry run walks the same steps.
import { defineStep } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import type { OpsContext } from '../../lib/context.ts'
import { ensureBaseImage } from './base-image.ts'
import { ensureCompose } from './compose.ts'
import { ensureEngine } from './engine.ts'

const engine = defineStep<OpsContext>({
  name: 'docker engine',
  changes: true,
  previews: true,
  // apt from Debian's mirror; each step checks first, so a second try picks up where it was.
  retries: 2,
  run: ensureEngine,
})
// The base image comes before compose: the plugin is fetched inside a container of it.
const baseImage = defineStep<OpsContext>({
  name: 'base image',
  changes: true,
  previews: true,
  // debootstrap into a fresh folder each time.
  retries: 2,
  run: ensureBaseImage,
})
const composeV2 = defineStep<OpsContext>({
  name: 'docker compose v2',
  changes: true,
  previews: true,
  retries: 2,
  run: ensureCompose,
})

export const bootstrapPipeline: Pipeline<OpsContext> = {
  name: 'bootstrap',
  steps: [engine, baseImage, composeV2],
}
