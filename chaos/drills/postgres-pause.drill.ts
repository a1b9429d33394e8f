import { defineDrill } from '../lib/drill.ts'
import { ensureHealthy, sleep, within } from '../lib/faults.ts'

export default defineDrill({
  name: 'postgres-pause',
  title: 'postgres frozen for 20 s (docker pause)',
  hypothesis:
    'While the database is frozen, uploads are refused cleanly or wait, readiness says the database is failing, and once it thaws every acknowledged recording ends as one note.',
  fault: 'docker pause <postgres> for 20 s, then docker unpause',
  recoverWithinMs: 60_000,
  async method({ target, expect, faultIn }) {
    await target.docker('pause', target.container('postgres'))
    faultIn('postgres paused')
    const until = Date.now() + 20_000
    const notReady = await within(15_000, async () => (await target.readiness()).status !== 200)
    expect('readiness stops answering 200 while the database is frozen', notReady)
    await sleep(until - Date.now())
  },
  rollbacks: [
    {
      name: 'unpause postgres',
      run: async ({ target }) => {
        const state = await target.docker(
          'inspect',
          '-f',
          '{{.State.Status}}',
          target.container('postgres')
        )
        if (state === 'paused') await target.docker('unpause', target.container('postgres'))
        await ensureHealthy(target, 'postgres')
      },
    },
  ],
})
