#!/usr/bin/env -S npx tsx
// make deploy: builds the API release from the git commit (or takes VERSION), and replaces the
// running API with it without dropping a request; a release that fails its health gate is
// rolled back automatically. The procedure lives in ops/steps/deploy/.
import { runScript } from './lib/main.ts'
import { RELEASE_FLAGS_HELP } from './steps/deploy/options.ts'
import { releaseScript } from './steps/deploy/script.ts'

const USAGE = `
Usage: npx tsx ops/deploy.ts [--version TAG] [--allow-dirty] [options]   (make deploy [VERSION=…])

Without --version: builds medic-scribe/api:<commit> from the git tree (refused when dirty unless
--allow-dirty: the tag gets -dirty). With --version: deploys that existing image.
Then: preflight and lock, image to the target, new api next to the old, health, edge switch,
smoke check and watch, drain the old one; any failure switches back and exits non-zero.

  --allow-dirty         build from a tree with uncommitted changes${RELEASE_FLAGS_HELP}
`

const startedAt = performance.now()
await runScript(() => releaseScript('deploy', USAGE), startedAt)
