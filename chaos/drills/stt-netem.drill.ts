import { defineDrill } from '../lib/drill.ts'
import type { Target } from '../lib/target.ts'
import { inNetns, sleep } from '../lib/faults.ts'
import { retryingVisible } from '../lib/retrying.ts'

const tc = (target: Target, ...a: string[]) => inNetns(target, 'api', ['tc', ...a])
const lossRule = (stt: string) => [
  'OUTPUT',
  '-d',
  stt,
  '-m',
  'statistic',
  '--mode',
  'random',
  '--probability',
  '0.1',
  '-j',
  'DROP',
]

export default defineDrill({
  name: 'stt-netem',
  title: 'a bad link to the speech engine: 2 s delay with jitter and 10 % loss',
  hypothesis:
    'A slow, lossy link to the speech provider slows notes down but loses none: calls that time out are retried, and traffic to the edge and the database is untouched.',
  fault:
    'tc netem delay 2000ms 500ms loss 10% on packets from the api to the speech engine only, for 10 s (kernels without sch_netem: an htb class at 256 kbit/s plus 10 % iptables random drop)',
  needs: ['chaos-overlay', 'root'],
  detect: retryingVisible,
  recoverWithinMs: 60_000,
  async method({ target, faultIn, note }) {
    const stt = await target.ip('fake-stt')
    // An htb root whose class 1:30 takes only the speech engine's packets (u32 filter); the
    // rest goes to the default class at full speed.
    await tc(target, 'qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'htb', 'default', '10')
    await tc(
      target,
      'class',
      'add',
      'dev',
      'eth0',
      'parent',
      '1:',
      'classid',
      '1:10',
      'htb',
      'rate',
      '10gbit'
    )
    await tc(
      target,
      'class',
      'add',
      'dev',
      'eth0',
      'parent',
      '1:',
      'classid',
      '1:30',
      'htb',
      'rate',
      '10gbit'
    )
    await tc(
      target,
      'filter',
      'add',
      'dev',
      'eth0',
      'protocol',
      'ip',
      'parent',
      '1:0',
      'prio',
      '1',
      'u32',
      'match',
      'ip',
      'dst',
      `${stt}/32`,
      'flowid',
      '1:30'
    )
    const netem = await tc(
      target,
      'qdisc',
      'add',
      'dev',
      'eth0',
      'parent',
      '1:30',
      'handle',
      '30:',
      'netem',
      'delay',
      '2000ms',
      '500ms',
      'loss',
      '10%'
    ).then(
      () => true,
      () => false
    )
    if (!netem) {
      // This kernel has no sch_netem (some VM kernels): the nearest bad link it can make.
      note('sch_netem missing in this kernel: 256 kbit/s and 10 % random drop instead')
      await tc(
        target,
        'class',
        'change',
        'dev',
        'eth0',
        'parent',
        '1:',
        'classid',
        '1:30',
        'htb',
        'rate',
        '256kbit'
      )
      await inNetns(target, 'api', ['iptables', '-w', '5', '-I', ...lossRule(stt)])
    }
    faultIn(`${netem ? 'netem' : 'htb 256 kbit/s + 10 % drop'} on api -> ${stt}`)
    await sleep(10_000)
  },
  rollbacks: [
    {
      name: 'remove the qdisc and the drop rule',
      run: async ({ target }) => {
        const q = await tc(target, 'qdisc', 'show', 'dev', 'eth0')
        if (q.includes('htb') || q.includes('netem'))
          await tc(target, 'qdisc', 'del', 'dev', 'eth0', 'root')
        const stt = await target.ip('fake-stt')
        const rules = await inNetns(target, 'api', ['iptables', '-w', '5', '-S'])
        if (rules.includes('statistic'))
          await inNetns(target, 'api', ['iptables', '-w', '5', '-D', ...lossRule(stt)])
      },
    },
  ],
})
