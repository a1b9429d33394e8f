// The body of ops/deploy.ts and ops/rollback.ts: the flags they share, the operator's settings
// for their defaults, then the one release pipeline.
import { z } from 'zod'
import { parseArgs } from '../../lib/args.ts'
import { loadOpsEnv } from '../../lib/env.ts'
import { releaseShape, releaseStrings, toOptions } from './options.ts'
import type { ReleaseOptions } from './options.ts'
import { runRelease } from './release.ts'

export async function releaseScript(kind: ReleaseOptions['kind'], usage: string): Promise<void> {
  const env = await loadOpsEnv()
  // --allow-dirty only means something where a release is built: a deploy without --version.
  const dirty = kind === 'deploy' ? ['allow-dirty'] : []
  const flags = parseArgs({
    usage,
    boolean: ['dry-run', ...dirty],
    string: releaseStrings,
    shape: {
      ...releaseShape,
      ...(kind === 'deploy' ? { 'allow-dirty': z.boolean().default(false) } : {}),
    },
  })
  const allowDirty = (flags as { 'allow-dirty'?: boolean })['allow-dirty'] ?? false
  const build = kind === 'deploy' && !flags.version
  await runRelease(toOptions(kind, flags, env, { build, allowDirty }))
}
