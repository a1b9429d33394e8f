#!/usr/bin/env -S npx tsx
// make deploy-history: every deploy and rollback recorded on the target, newest first, with the
// release live now and the one the edge points at.
import { echo } from 'zx'
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { readUpstream } from './lib/edge-upstream.ts'
import { formatHistory } from './lib/history.ts'
import { runScript } from './lib/main.ts'
import { selectTarget } from './lib/target.ts'
import { helperImage, readDeployLock, readTargetState } from './lib/target-state.ts'
import { apiContainers, edgeContainer } from './steps/deploy/stack.ts'

const USAGE = `
Usage: npx tsx ops/deploy-history.ts [--project NAME] [--context NAME] [--limit N] [--json]

  --project NAME   compose project on the target (default medic-scribe)
  --context NAME   a Docker context as the target (or DOCKER_HOST=ssh://user@host)
  --limit N        newest N entries (default 20)
  --json           the raw entries, one JSON object per line
`

await runScript(async () => {
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['json'],
    string: ['project', 'context', 'limit'],
    shape: {
      project: z.string().default('medic-scribe'),
      context: z.string().optional(),
      limit: z.coerce.number().int().min(1).default(20),
      json: z.boolean().default(false),
    },
  })
  const target = await selectTarget(flags.context)
  const state = await readTargetState(flags.project, await helperImage(flags.project))
  if (flags.json) {
    for (const e of state.history.slice(-flags.limit)) echo(JSON.stringify(e))
    return
  }
  const live = (await apiContainers(flags.project)).filter((a) => a.running)
  const edge = await edgeContainer(flags.project)
  const lock = await readDeployLock(flags.project)
  echo(`target: ${target.label}, project ${flags.project}`)
  echo(`live: ${live.map((a) => `${a.version} (${a.name})`).join(', ') || 'no api running'}`)
  if (edge) echo(`edge upstream: ${(await readUpstream(edge)) ?? 'unknown'}`)
  if (lock) echo(`locked by ${lock.who}: ${lock.holder} since ${lock.since}`)
  echo('')
  echo(formatHistory(state.history, flags.limit))
})
