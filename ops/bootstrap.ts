#!/usr/bin/env -S npx tsx
// Makes this machine able to build and run the stack: a Docker engine, compose v2 and the
// base image. Idempotent; a machine with nothing to do is through in about a second.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { createContext } from './lib/context.ts'
import { handleError } from './lib/errors.ts'
import { step, summary } from './lib/step.ts'
import { ensureBaseImage } from './steps/bootstrap/base-image.ts'
import { ensureCompose } from './steps/bootstrap/compose.ts'
import { ensureEngine } from './steps/bootstrap/engine.ts'

const USAGE = `
Usage: npx tsx ops/bootstrap.ts [--dry-run]   (make bootstrap, npm run bootstrap)

Makes sure that:
  1. a Docker engine answers (as root on Debian: installs docker.io and starts dockerd);
  2. the base image debian:trixie-slim exists (pulled, or built with debootstrap and imported);
  3. \`docker compose\` v2 works (else it installs the plugin from Debian's docker-compose).

  --dry-run   check, and print what would change without changing anything
  --help      this text
`

const startedAt = performance.now()
try {
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    shape: { 'dry-run': z.boolean().default(false) },
  })
  const ctx = createContext({ dryRun: flags['dry-run'] })
  await step('docker engine', () => ensureEngine(ctx))
  // The base image comes before compose: the plugin is fetched inside a container of it.
  await step('base image', () => ensureBaseImage(ctx))
  await step('docker compose v2', () => ensureCompose(ctx))
} catch (err) {
  handleError(err)
} finally {
  console.log(summary(startedAt))
}
