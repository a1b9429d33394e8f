#!/usr/bin/env -S npx tsx
// Builds the SeaweedFS server the object-storage tests run against (S3 API), once: the binary
// is cached under ~/.cache/medic-scribe/tools/. The steps live in ops/steps/tools/seaweedfs.ts.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { runScript } from './lib/main.ts'
import { ensureSeaweedfs } from './steps/tools/seaweedfs.ts'

const USAGE = `
Usage: npx tsx ops/build-seaweedfs.ts [--dry-run]   (make seaweedfs)

  1. if ~/.cache/medic-scribe/tools/seaweedfs-<version>/weed answers \`weed version\`: done;
  2. go mod download -json github.com/seaweedfs/seaweedfs@<version> (the Go module proxy);
  3. copies the source out of the read-only module cache;
  4. go build -ldflags "-s -w" ./weed with GOFLAGS=-trimpath (several minutes on 2 cores);
  5. checks that the binary answers \`weed version\`.
`

await runScript(async () => {
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    shape: { 'dry-run': z.boolean().default(false) },
  })
  const bin = await ensureSeaweedfs({ dryRun: flags['dry-run'] })
  console.log(bin)
})
