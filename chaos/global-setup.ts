import type { TestProject } from 'vitest/node'
import type { StackInfo } from '../tests/stack/stack.ts'
import { prepareImages, reuseOrStart } from '../tests/stack/start-stack.ts'
import { bundleFakeProvider } from './lib/fake-provider-bundle.ts'
import { stressImage } from './lib/faults.ts'
import { CHAOS_STACK } from './lib/stack-options.ts'

/**
 * The chaos suite's own scratch stack (the stack suite's start, plus compose.chaos.yml): its
 * drills kill, pause and fill things, so they never share the stack suite's. CHAOS_REUSE=FILE
 * keeps it running between runs, as STACK_REUSE does for the stack suite.
 */
export default async function setup(project: TestProject) {
  const { info, down } = await reuseOrStart({
    reuseFile: process.env.CHAOS_REUSE,
    stack: CHAOS_STACK,
    // npm test sets SCRIBE_IMAGES_READY: the stack suite has just built the images from this tree.
    prepare: async () => {
      await prepareImages({ reuseBuilt: process.env.SCRIBE_IMAGES_READY === '1' })
      await Promise.all([bundleFakeProvider(), stressImage()])
    },
  })
  project.provide('chaosStack', info)
  return down
}

declare module 'vitest' {
  export interface ProvidedContext {
    chaosStack: StackInfo | null
  }
}
