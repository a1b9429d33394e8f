import { defineDrill } from '../lib/drill.ts'
import { retryingVisible } from '../lib/retrying.ts'
import type { DrillContext } from '../lib/drill.ts'
import { sleep } from '../lib/faults.ts'

/** Whether a recording acknowledged during the outage shows it waits (retrying), not failed. */
async function waitingVisibly(ctx: DrillContext) {
  const ids = ctx.workload.records.filter((r) => r.ids[0]).map((r) => r.ids[0]!)
  for (const id of ids.slice(-5)) {
    const r = await ctx.target.json<{ status: string; detail: string | null }>(
      ctx.token,
      `/api/recordings/${id}`
    )
    if (r.status === 'failed') return false
  }
  return true
}

export default defineDrill({
  name: 'provider-outage',
  title:
    'the speech provider fails: 500s, then 429 with retry-after, then answers past the timeout',
  hypothesis:
    'A failing speech provider makes jobs wait, never fail: uploads are still acknowledged, and every recording gets its note once the provider answers again.',
  fault:
    'fake provider: 500 for 8 s, 429 retry-after 2 s for 6 s, 6 s answers (timeout 4 s) for 7 s',
  needs: ['chaos-overlay'],
  recoverWithinMs: 75_000,
  detect: retryingVisible,
  async method(ctx) {
    const { target, expect, note, faultIn } = ctx
    const fake = target.fake!
    const before = (await fake.state()).requests
    await fake.fail(10_000, 500)
    faultIn('provider answers 500')
    await sleep(8_000)
    expect(
      'the api kept calling and backing off (provider saw requests)',
      (await fake.state()).requests > before
    )
    expect('recordings wait, none failed', await waitingVisibly(ctx))
    await fake.reset()
    await fake.fail(10_000, 429, 2)
    note('provider answers 429 retry-after: 2')
    await sleep(6_000)
    await fake.reset()
    await fake.delay(6_000)
    note('provider answers after 6 s (the api gives up at 4 s)')
    await sleep(7_000)
    expect('recordings still wait, none failed', await waitingVisibly(ctx))
  },
  rollbacks: [
    {
      name: 'the provider answers normally',
      run: async ({ target }) => void (await target.fake!.reset()),
    },
  ],
})
