#!/usr/bin/env -S npx tsx
// Builds the stack's images: JavaScript on the host first (package registries are not reachable
// from every image build), then one small staged context per image under build/images/.
import { z } from 'zod'
import { path } from 'zx'
import { parseArgs } from './lib/args.ts'
import { createContext } from './lib/context.ts'
import { dockerAnswers, formatMB, imageExists } from './lib/docker.ts'
import { StopError } from './lib/errors.ts'
import { runScript } from './lib/main.ts'
import { BASE_IMAGE, DEFAULT_TAG, IMAGE_NAMES, imageRef } from './lib/images.ts'
import type { ImageName } from './lib/images.ts'
import { BUILD_DIR } from './lib/paths.ts'
import { formatSeconds, step } from './lib/step.ts'
import { buildApiBundle, buildWebApp, bundleStt, stageNode } from './steps/images/artifacts.ts'
import { SIZE_GOAL, dockerBuild, pruneSuperseded } from './steps/images/build.ts'
import { stageContext } from './steps/images/stage.ts'

const USAGE = `
Usage: npx tsx ops/build-images.ts [--only api,edge] [--tag local] [--dry-run]   (make images)

Builds medic-scribe/{${IMAGE_NAMES.join(',')}}:<tag> from ${BASE_IMAGE} (run \`make bootstrap\` first).

  --only LIST   comma-separated images to build (default: all)
  --tag TAG     image tag (default: ${DEFAULT_TAG})
  --dry-run     print the commands without running them
  --help        this text
`

const Only = z
  .string()
  .default(IMAGE_NAMES.join(','))
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
  )
  .pipe(z.array(z.enum(IMAGE_NAMES)).min(1))

const startedAt = performance.now()
const built: { name: ImageName; ref: string; seconds: number; bytes: number }[] = []
// Images are production builds whoever runs this: the stack suite calls it from vitest, whose
// NODE_ENV=test would otherwise give the edge a development build of the PWA (React's debug
// build, and no service worker: Vite registers it only when PROD).
process.env.NODE_ENV = 'production'

await runScript(async () => {
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    string: ['only', 'tag'],
    shape: {
      'dry-run': z.boolean().default(false),
      only: Only,
      tag: z
        .string()
        .regex(/^[\w][\w.-]{0,127}$/, 'not a valid image tag')
        .default(DEFAULT_TAG),
    },
  })
  const ctx = createContext({ dryRun: flags['dry-run'] })
  const only = new Set(flags.only)

  await step('preflight', async () => {
    if (!(await dockerAnswers())) {
      throw new StopError('no Docker engine answers', 'run `make bootstrap` first')
    }
    if (!(await imageExists(BASE_IMAGE))) {
      throw new StopError(`the base image ${BASE_IMAGE} is missing`, 'run `make bootstrap` first')
    }
    return `building ${[...only].join(', ')} as :${flags.tag}`
  })
  if (only.has('api') || only.has('stt')) await step('node binary', () => stageNode(ctx))
  if (only.has('api')) await step('api bundle', () => buildApiBundle(ctx))
  if (only.has('edge')) await step('web app', () => buildWebApp(ctx))

  for (const name of IMAGE_NAMES.filter((n) => only.has(n))) {
    const ref = imageRef(name, flags.tag)
    const t0 = performance.now()
    await step(`image ${name}`, async () => {
      const dir = ctx.dryRun ? path.join(BUILD_DIR, name) : await stageContext(name)
      if (name === 'stt') await bundleStt(ctx, path.join(dir, 'server.cjs'))
      const bytes = await dockerBuild(ctx, dir, ref)
      built.push({ name, ref, seconds: (performance.now() - t0) / 1000, bytes })
      const over = bytes > SIZE_GOAL ? ` — over the ${formatMB(SIZE_GOAL)} goal` : ''
      return ctx.dryRun ? 'dry run' : `${ref}, ${formatMB(bytes)}${over}`
    })
  }
  await pruneSuperseded(ctx)
  if (!ctx.dryRun) {
    for (const b of built) {
      console.log(
        `  ${b.ref.padEnd(30)} ${formatMB(b.bytes).padStart(7)}  ${formatSeconds(b.seconds)}`
      )
    }
  }
}, startedAt)
