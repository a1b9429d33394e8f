import { defineDrill } from '../lib/drill.ts'
import { sleep, within } from '../lib/faults.ts'

// compose.chaos.yml sets JOB_LEASE_SECONDS=5: the pause is three leases long.
const PAUSE_MS = 15_000

export default defineDrill({
  name: 'worker-paused-past-lease',
  title: "a worker frozen past its job's lease while it transcribes (the clock jumps)",
  hypothesis:
    'A worker that stops for longer than its lease in the middle of a job (a VM frozen, a long GC, docker pause) and then wakes up does not finish that job a second time: every recording still ends as exactly one note.',
  fault: `docker pause <api> for ${PAUSE_MS / 1000} s (3 leases of 5 s) while transcriptions are in flight; docker unpause`,
  needs: ['chaos-overlay'],
  recoverWithinMs: 60_000,
  async method({ target, workload, note, expect, faultIn }) {
    const fake = target.fake!
    // Held provider answers, so the pause lands while the worker waits on one.
    await fake.delay(2_000)
    void workload.upload({ origin: 'drill' })
    const inFlight = await within(15_000, async () => (await fake.state()).in_flight > 0)
    expect('a transcription was in flight when the worker froze', inFlight)
    await target.docker('pause', target.container('api'))
    faultIn(`api paused with ${(await fake.state()).in_flight} transcription(s) in flight`)
    await sleep(PAUSE_MS)
    await target.docker('unpause', target.container('api'))
    note('api unpaused: its leases expired long ago')
    await fake.reset()
  },
  rollbacks: [
    {
      name: 'unpause the api',
      run: async ({ target }) => {
        const state = await target.docker(
          'inspect',
          '-f',
          '{{.State.Status}}',
          target.container('api')
        )
        if (state === 'paused') await target.docker('unpause', target.container('api'))
      },
    },
    {
      name: 'the provider answers at once again',
      run: async ({ target }) => void (await target.fake!.reset()),
    },
  ],
})
