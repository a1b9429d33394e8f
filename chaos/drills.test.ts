// The chaos drills in the test command (after the stack suite), on their own scratch stack:
// each drill is one test, which fails on any lost or duplicated recording, an unclean refusal,
// or a hypothesis not restored in time. CHAOS_DRILL=name runs some of them.
import { afterAll, describe, expect, inject, it } from 'vitest'
import type { Journal } from './lib/journal.ts'
import { openSession, report, selectDrills } from './lib/suite.ts'
import type { Session } from './lib/suite.ts'

const stack = inject('chaosStack')
const drills = selectDrills(process.env.CHAOS_DRILL)

describe.skipIf(!stack)('chaos drills: nothing acknowledged is lost', () => {
  const journals: Journal[] = []
  let session: Session | undefined
  const open = async () => (session ??= await openSession(stack!))

  afterAll(() => {
    if (journals.length) console.log(`\n${report(journals).text}\n`)
  })

  for (const drill of drills) {
    it(`${drill.name}: ${drill.title}`, async () => {
      const j = await (await open()).run(drill)
      journals.push(j)
      expect.soft(j.uploads.lost, 'acknowledged recordings lost').toBe(0)
      expect.soft(j.uploads.duplicated, 'recordings duplicated').toBe(0)
      expect(j.problems, 'problems').toEqual([])
      expect(j.status, j.reason ?? '').toMatch(/^(passed|skipped)$/)
    })
  }
})
