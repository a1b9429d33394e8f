#!/usr/bin/env -S npx tsx
// make deploy-history: every deploy and rollback recorded on the target, newest first, with the
// release live now, the one the edge points at, and who holds the stack lock.
import { echo } from 'zx'
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv } from './lib/env.ts'
import { runScript } from './lib/main.ts'
import { runPipeline } from './lib/pipeline.ts'
import { historyPipeline } from './steps/deploy/history.ts'

const USAGE = `
Usage: npx tsx ops/deploy-history.ts [--project NAME] [--context NAME] [--limit N] [--json]

  --project NAME   compose project on the target (default COMPOSE_PROJECT_NAME or medic-scribe)
  --context NAME   a Docker context as the target (or DOCKER_HOST=ssh://user@host)
  --limit N        newest N entries (default 20)
  --json           the raw entries, one JSON object per line
`

await runScript(async () => {
  const env = await loadOpsEnv()
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['json'],
    string: ['project', 'context', 'limit'],
    shape: {
      project: z.string().default(env.COMPOSE_PROJECT_NAME),
      context: z.string().optional(),
      limit: z.coerce.number().int().min(1).default(20),
      json: z.boolean().default(false),
    },
  })
  await runPipeline(historyPipeline, { dryRun: false, ...flags, print: echo })
})
