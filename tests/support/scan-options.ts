// Settings for an in-process scan (runScan) in a test: every part off unless asked for, the
// shipped allowlist, scratch, lock and results in the test's own folder, no operator settings.
import { join } from 'node:path'
import { parseOpsEnv } from '../../ops/lib/env.ts'
import { IMAGE_NAMES } from '../../ops/lib/images.ts'
import { ROOT } from '../../ops/lib/paths.ts'
import { DEFAULT_ALLOWLIST } from '../../ops/steps/scan/context.ts'
import type { ScanOptions } from '../../ops/steps/scan/context.ts'

export function scanOptions(dir: string, over: Partial<ScanOptions>): ScanOptions {
  return {
    env: parseOpsEnv({ STACK_MODE: 'local' }, join(dir, 'no-env-file')),
    project: 'scan-test',
    tag: 'test',
    modes: ['local'],
    requireVulns: false,
    parts: [],
    imageNames: [...IMAGE_NAMES],
    repoDir: ROOT,
    tls: { minGrade: 'A+', name: 'localhost' },
    npmOffline: true,
    extraImages: [],
    allowlistFile: DEFAULT_ALLOWLIST,
    outDir: join(dir, 'out'),
    workDir: join(dir, 'work'),
    dryRun: false,
    today: new Date().toISOString().slice(0, 10),
    ...over,
  }
}
