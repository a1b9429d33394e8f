import { defineDrill } from '../lib/drill.ts'
import { retryingVisible } from '../lib/retrying.ts'
import { inNetns, sleep } from '../lib/faults.ts'

export default defineDrill({
  name: 'stt-netem',
  title: 'a bad link to the speech engine: 2 s delay with jitter and 10 % loss',
  hypothesis:
    'A slow, lossy link to the speech provider slows notes down but loses none: calls that time out are retried, and traffic to the edge and the database is untouched.',
  fault:
    'tc netem delay 2000ms 500ms loss 10% on packets from the api to the speech engine, for 10 s',
  needs: ['chaos-overlay', 'root'],
  recoverWithinMs: 60_000,
  detect: retryingVisible,
  async method({ target, faultIn }) {
    const stt = await target.ip('fake-stt')
    // A prio qdisc whose third band (netem) takes only the speech engine's packets.
    const tc = (...a: string[]) => inNetns(target, 'api', ['tc', ...a])
    await tc('qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'prio')
    await tc(
      'qdisc',
      'add',
      'dev',
      'eth0',
      'parent',
      '1:3',
      'handle',
      '30:',
      'netem',
      'delay',
      '2000ms',
      '500ms',
      'loss',
      '10%'
    )
    await tc(
      'filter',
      'add',
      'dev',
      'eth0',
      'protocol',
      'ip',
      'parent',
      '1:0',
      'prio',
      '3',
      'u32',
      'match',
      'ip',
      'dst',
      `${stt}/32`,
      'flowid',
      '1:3'
    )
    faultIn(`netem on api -> ${stt}`)
    await sleep(10_000)
  },
  rollbacks: [
    {
      name: 'remove the qdisc',
      run: async ({ target }) => {
        const q = await inNetns(target, 'api', ['tc', 'qdisc', 'show', 'dev', 'eth0'])
        if (q.includes('prio') || q.includes('netem'))
          await inNetns(target, 'api', ['tc', 'qdisc', 'del', 'dev', 'eth0', 'root'])
      },
    },
  ],
})
