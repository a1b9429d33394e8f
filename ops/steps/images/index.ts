// make images, as a pipeline: the engine and base image checked, the JavaScript built on the host
// (package registries are not reachable from every image build), then one small staged context
// and `docker build` per image, superseded builds pruned, and the sizes. The build steps honour
// the dry run themselves (they print the commands they would run).
import { path } from 'zx'
import type { OpsContext } from '../../lib/context.ts'
import { dockerAnswers, formatMB, imageExists } from '../../lib/docker.ts'
import { StopError } from '../../lib/errors.ts'
import { BASE_IMAGE, IMAGE_NAMES, imageRef } from '../../lib/images.ts'
import type { ImageName } from '../../lib/images.ts'
import { BUILD_DIR } from '../../lib/paths.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { Pipeline, Step } from '../../lib/pipeline.ts'
import { formatSeconds } from '../../lib/step.ts'
import { buildApiBundle, buildWebApp, bundleStt, stageNode } from './artifacts.ts'
import { SIZE_GOAL, dockerBuild, pruneSuperseded } from './build.ts'
import { stageContext } from './stage.ts'

export type ImagesContext = OpsContext & {
  only: Set<ImageName>
  tag: string
  built: { name: ImageName; ref: string; seconds: number; bytes: number }[]
}

const preflight = defineStep<ImagesContext>({
  name: 'preflight',
  changes: false,
  run: async (c) => {
    if (!(await dockerAnswers()))
      throw new StopError('no Docker engine answers', 'run `make bootstrap` first')
    if (!(await imageExists(BASE_IMAGE)))
      throw new StopError(`the base image ${BASE_IMAGE} is missing`, 'run `make bootstrap` first')
    return `building ${[...c.only].join(', ')} as :${c.tag}`
  },
})

const nodeBinary = defineStep<ImagesContext>({
  name: 'node binary',
  changes: true,
  previews: true,
  when: (c) => c.only.has('api') || c.only.has('stt'),
  run: (c) => stageNode(c),
})

const apiBundle = defineStep<ImagesContext>({
  name: 'api bundle',
  changes: true,
  previews: true,
  when: (c) => c.only.has('api'),
  run: (c) => buildApiBundle(c),
})

const webApp = defineStep<ImagesContext>({
  name: 'web app',
  changes: true,
  previews: true,
  when: (c) => c.only.has('edge'),
  run: (c) => buildWebApp(c),
})

const image = (name: ImageName): Step<ImagesContext> =>
  defineStep<ImagesContext>({
    name: `image ${name}`,
    changes: true,
    previews: true,
    when: (c) => c.only.has(name),
    run: async (c) => {
      const ref = imageRef(name, c.tag)
      const t0 = performance.now()
      const dir = c.dryRun ? path.join(BUILD_DIR, name) : await stageContext(name)
      if (name === 'stt') await bundleStt(c, path.join(dir, 'server.cjs'))
      const bytes = await dockerBuild(c, dir, ref)
      c.built.push({ name, ref, seconds: (performance.now() - t0) / 1000, bytes })
      const over = bytes > SIZE_GOAL ? ` — over the ${formatMB(SIZE_GOAL)} goal` : ''
      return c.dryRun ? 'dry run' : `${ref}, ${formatMB(bytes)}${over}`
    },
  })

const prune = defineStep<ImagesContext>({
  name: 'prune superseded builds',
  changes: true,
  previews: true,
  run: async (c) => void (await pruneSuperseded(c)),
})

const sizes = defineStep<ImagesContext>({
  name: 'sizes',
  changes: false,
  when: (c) => !c.dryRun,
  run: async (c) => {
    for (const b of c.built)
      console.log(
        `  ${b.ref.padEnd(30)} ${formatMB(b.bytes).padStart(7)}  ${formatSeconds(b.seconds)}`
      )
  },
})

export const imagesPipeline: Pipeline<ImagesContext> = {
  name: 'images',
  steps: [preflight, nodeBinary, apiBundle, webApp, ...IMAGE_NAMES.map(image), prune, sizes],
}
