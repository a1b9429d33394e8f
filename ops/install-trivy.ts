#!/usr/bin/env -S npx tsx
// make trivy: a trusted trivy for make scan. Uses TRIVY_BIN or the one on PATH when its version
// passes, else builds the pinned release from the Go module proxy into the tools cache (once;
// minutes on a cold Go cache). Refuses the compromised releases by name wherever they are.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv } from './lib/env.ts'
import { runScript } from './lib/main.ts'
import { runPipeline } from './lib/pipeline.ts'
import { TRIVY_VERSION } from './steps/scan/trivy-version.ts'
import { trivyPipeline } from './steps/tools/trivy.ts'

const USAGE = `
Usage: npx tsx ops/install-trivy.ts [--rebuild] [--dry-run]   (make trivy)

  Finds trivy (TRIVY_BIN, then PATH, then ${'$'}TOOLS_CACHE_DIR/trivy-v${TRIVY_VERSION}/), checks
  \`trivy --version\` (0.69.4-0.69.6 are refused), or builds v${TRIVY_VERSION} with go install.
  --rebuild   build into the cache even if a usable trivy is found
  --dry-run   say what it would do
`

await runScript(async () => {
  const env = await loadOpsEnv()
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['rebuild', 'dry-run'],
    shape: { rebuild: z.boolean().default(false), 'dry-run': z.boolean().default(false) },
  })
  await runPipeline(trivyPipeline, {
    dryRun: flags['dry-run'],
    rebuild: flags.rebuild,
    toolsDir: env.TOOLS_CACHE_DIR,
    trivyBin: env.TRIVY_BIN,
  })
})
