#!/usr/bin/env -S npx tsx
// Builds the stack's images: JavaScript on the host first (package registries are not reachable
// from every image build), then one small staged context per image under build/images/.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { createContext } from './lib/context.ts'
import { runScript } from './lib/main.ts'
import { BASE_IMAGE, DEFAULT_TAG, IMAGE_NAMES } from './lib/images.ts'
import { runPipeline } from './lib/pipeline.ts'
import { imagesPipeline } from './steps/images/index.ts'
import { exportToChildren } from './lib/env.ts'

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
// Images are production builds whoever runs this: the stack suite calls it from vitest, whose
// NODE_ENV=test would otherwise give the edge a development build of the PWA (React's debug
// build, and no service worker: Vite registers it only when PROD).
exportToChildren({ NODE_ENV: 'production' })

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
  await runPipeline(imagesPipeline, {
    ...createContext({ dryRun: flags['dry-run'] }),
    only: new Set(flags.only),
    tag: flags.tag,
    built: [],
  })
}, startedAt)
