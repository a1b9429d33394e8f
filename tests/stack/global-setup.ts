import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { TestProject } from 'vitest/node'
import type { StackInfo } from './stack.ts'
import { dockerUsable, prepareImages, startScratchStack } from './start-stack.ts'

/**
 * Builds the images and starts the whole stack once for the suite, through Testcontainers'
 * compose support. Without an engine it fails under CI and skips (one line) elsewhere.
 */
export default async function setup(project: TestProject) {
  // The reaper image cannot be pulled here; teardown below removes what the suite started, and
  // the tests' own containers (a reused stack's too) are stopped by the tests.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true'
  const reuse = process.env.STACK_REUSE
  if (reuse && existsSync(reuse)) {
    const info = JSON.parse(readFileSync(reuse, 'utf8')) as StackInfo
    console.log(`stack suite: reusing ${info.projectName} from ${reuse} (left running)`)
    project.provide('stack', info)
    return
  }
  if (!(await dockerUsable('stack suite'))) {
    project.provide('stack', null)
    return
  }
  await prepareImages()
  const { info, down } = await startScratchStack({
    prefix: 'scribe-test',
    label: 'stack suite',
    env: { MAX_UPLOAD_MB: '5', JOB_LEASE_SECONDS: '10' },
  })
  project.provide('stack', info)
  if (reuse) {
    // Kept for the next run: iterate on one test file without rebuilding the stack each time.
    writeFileSync(reuse, JSON.stringify(info, null, 2), { mode: 0o600 })
    console.log(`stack suite: ${info.projectName} kept running, described in ${reuse}`)
    return
  }
  return down
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo | null
  }
}
