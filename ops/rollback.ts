#!/usr/bin/env -S npx tsx
// make rollback: puts the previous (or the named) release back live with the same rolling
// procedure and health gate as a deploy. The image must still be on the target (--keep).
import { runScript } from './lib/main.ts'
import { RELEASE_FLAGS_HELP } from './steps/deploy/options.ts'
import { releaseScript } from './steps/deploy/script.ts'

const USAGE = `
Usage: npx tsx ops/rollback.ts [--version TAG] [options]   (make rollback [VERSION=…])

Without --version: the release that was live before the current one was deployed (from the
history on the target; repeated rollbacks walk further back). The same steps as a deploy,
without the build.
${RELEASE_FLAGS_HELP}
`

const startedAt = performance.now()
await runScript(() => releaseScript('rollback', USAGE), startedAt)
