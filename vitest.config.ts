import { defineConfig } from 'vitest/config'
import { BaseSequencer } from 'vitest/node'
import type { TestSpecification } from 'vitest/node'

// The stack suite shares one running stack; the files that restart and kill services go last.
// certs reloads the edge (and puts its local certificate back): after the read-only files.
// The deploys go after durability: they leave the stack serving, but the api container is then
// <project>-api-N, and durability restarts and kills <project>-api-1 by name.
const STACK_ORDER = [
  'edge',
  'flow',
  'hardening',
  'scan',
  'scan-vulnerabilities',
  'record-to-note',
  'offline-upload',
  'background-sync',
  'installable',
  'accessibility',
  'lighthouse',
  'certs',
  'backup',
  'backup-remote',
  'backup-schedule',
  'backup-s3',
  // Starts the monitor's services with the api recreated beside them, then puts both back.
  'status',
  // Kills and restarts the api (and starts then removes the monitor's services).
  'monitor',
  'durability',
  'deploy',
  'deploy-remote',
]
class StackSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]) {
    const rank = (f: TestSpecification) => {
      const i = STACK_ORDER.findIndex((name) => f.moduleId.endsWith(`/${name}.test.ts`))
      return i === -1 ? STACK_ORDER.length : i
    }
    return [...files].sort((a, b) => rank(a) - rank(b))
  }
}

// `unit` never opens a real process; `process` starts the API as a child (crash recovery, Deno,
// the bundle) and a real S3 server (SeaweedFS) for the object store; `stack` builds the images
// and checks the whole compose stack from outside.
export default defineConfig({
  test: {
    sequence: { sequencer: StackSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'process',
          include: ['tests/process/**/*.test.ts'],
          // Builds (once, cached) the SeaweedFS server the object-storage tests run against.
          globalSetup: ['tests/process/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'stack',
          // The browser tests (tests/e2e) drive the PWA against the same stack.
          include: ['tests/stack/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/stack/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // Chaos drills (chaos/drills): their own scratch stack with compose.chaos.yml, after
          // the stack suite in npm test.
          name: 'chaos',
          include: ['chaos/**/*.test.ts'],
          globalSetup: ['chaos/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
        test: {
          name: 'web',
          include: ['web/src/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['web/src/test/setup.ts'],
        },
      },
    ],
  },
})
