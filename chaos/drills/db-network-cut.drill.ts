import { defineDrill } from '../lib/drill.ts'
import type { Target } from '../lib/target.ts'
import { inNetns, sleep, within } from '../lib/faults.ts'

// A black hole, not a refusal: packets between the api and postgres are dropped, so open
// connections hang the way they do when a switch or a firewall fails.
const rules = async (target: Target, action: '-I' | '-D') => {
  const db = await target.ip('postgres')
  await inNetns(target, 'api', ['iptables', '-w', '5', action, 'OUTPUT', '-d', db, '-j', 'DROP'])
  await inNetns(target, 'api', ['iptables', '-w', '5', action, 'INPUT', '-s', db, '-j', 'DROP'])
}

export default defineDrill({
  name: 'db-network-cut',
  title: 'the network between api and postgres cut for 20 s',
  hypothesis:
    'With the database unreachable, readiness says so and uploads are refused cleanly (or retried); once the network is back the api reconnects on its own and nothing acknowledged is lost.',
  fault: 'iptables DROP to and from postgres in the api network namespace (nsenter) for 20 s',
  needs: ['root'],
  recoverWithinMs: 60_000,
  async method({ target, expect, faultIn }) {
    await rules(target, '-I')
    faultIn('api <-> postgres packets dropped')
    const until = Date.now() + 20_000
    const notReady = await within(20_000, async () => (await target.readiness()).status !== 200)
    expect('readiness stops answering 200 while postgres is unreachable', notReady)
    await sleep(until - Date.now())
  },
  rollbacks: [
    {
      name: 'remove the DROP rules',
      run: async ({ target }) => {
        const listed = await inNetns(target, 'api', ['iptables', '-w', '5', '-S'])
        if (listed.includes('-j DROP')) await rules(target, '-D')
      },
    },
  ],
})
