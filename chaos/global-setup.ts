import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { TestProject } from 'vitest/node'
import type { StackInfo } from '../tests/stack/stack.ts'
import { dockerUsable, prepareImages, startScratchStack } from '../tests/stack/start-stack.ts'
import { bundleFakeProvider } from './lib/fake-provider-bundle.ts'
import { stressImage } from './lib/faults.ts'
import { CHAOS_STACK } from './lib/stack-options.ts'

/**
 * The chaos suite's own scratch stack (the stack suite's start, plus compose.chaos.yml): its
 * drills kill, pause and fill things, so they never share the stack suite's. CHAOS_REUSE=FILE
 * keeps it running between runs, as STACK_REUSE does for the stack suite.
 */
export default async function setup(project: TestProject) {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true'
  const reuse = process.env.CHAOS_REUSE
  if (reuse && existsSync(reuse)) {
    const info = JSON.parse(readFileSync(reuse, 'utf8')) as StackInfo
    console.log(`chaos suite: reusing ${info.projectName} from ${reuse} (left running)`)
    project.provide('chaosStack', info)
    return
  }
  if (!(await dockerUsable('chaos suite'))) {
    project.provide('chaosStack', null)
    return
  }
  // npm test sets SCRIBE_IMAGES_READY: the stack suite has just built the images from this tree.
  await prepareImages({ reuseBuilt: process.env.SCRIBE_IMAGES_READY === '1' })
  await Promise.all([bundleFakeProvider(), stressImage()])
  const { info, down } = await startScratchStack(CHAOS_STACK)
  project.provide('chaosStack', info)
  if (reuse) {
    writeFileSync(reuse, JSON.stringify(info, null, 2), { mode: 0o600 })
    console.log(`chaos suite: ${info.projectName} kept running, described in ${reuse}`)
    return
  }
  return down
}

declare module 'vitest' {
  export interface ProvidedContext {
    chaosStack: StackInfo | null
  }
}
