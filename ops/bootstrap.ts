#!/usr/bin/env -S npx tsx
// Makes this machine able to build and run the stack: a Docker engine, compose v2 and the
// base image. Idempotent; a machine with nothing to do is through in about a second.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { createContext } from './lib/context.ts'
import { runScript } from './lib/main.ts'
import { runPipeline } from './lib/pipeline.ts'
import { bootstrapPipeline } from './steps/bootstrap/index.ts'

const USAGE = `
Usage: npx tsx ops/bootstrap.ts [--dry-run]   (make bootstrap, npm run bootstrap)

Makes sure that:
  1. a Docker engine answers (as root on Debian: installs docker.io and starts dockerd);
  2. the base image debian:trixie-slim exists (pulled, or built with debootstrap and imported);
  3. \`docker compose\` v2 works (else it installs the plugin from Debian's docker-compose).

  --dry-run   check, and print what would change without changing anything
  --help      this text
`

await runScript(async () => {
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    shape: { 'dry-run': z.boolean().default(false) },
  })
  await runPipeline(bootstrapPipeline, createContext({ dryRun: flags['dry-run'] }))
})
