import type { TestProject } from 'vitest/node'
import type { StackInfo } from './stack.ts'
import { prepareImages, reuseOrStart } from './start-stack.ts'

/**
 * Builds the images and starts the whole stack once for the suite, through Testcontainers'
 * compose support. Without an engine it fails under CI and skips (one line) elsewhere.
 * STACK_REUSE=FILE keeps the stack running between runs.
 */
export default async function setup(project: TestProject) {
  const { info, down } = await reuseOrStart({
    reuseFile: process.env.STACK_REUSE,
    prepare: prepareImages,
    stack: {
      prefix: 'scribe-test',
      label: 'stack suite',
      env: { MAX_UPLOAD_MB: '5', JOB_LEASE_SECONDS: '10' },
    },
  })
  project.provide('stack', info)
  return down
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo | null
  }
}
