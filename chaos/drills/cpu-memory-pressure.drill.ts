import { defineDrill } from '../lib/drill.ts'
import { sleep, stressImage } from '../lib/faults.ts'

export default defineDrill({
  name: 'cpu-memory-pressure',
  title: 'CPU and memory pressure beside the api (stress-ng)',
  hypothesis:
    'With every core busy and memory churned beside it, the api still acknowledges uploads and every one ends as a note; it is only slower.',
  fault: 'stress-ng --cpu 2 --vm 1 --vm-bytes 384M for 10 s in a container beside the api',
  recoverWithinMs: 30_000,
  async method({ target, workload, expect, faultIn }) {
    const image = await stressImage()
    const name = `${target.info.projectName}-chaos-stress`
    await target.docker(
      'run',
      '-d',
      '--rm',
      '--name',
      name,
      '--memory',
      '512m',
      '--cap-drop',
      'ALL',
      '--network',
      'none',
      image,
      '--cpu',
      '2',
      '--vm',
      '1',
      '--vm-bytes',
      '384M',
      '--timeout',
      '10s'
    )
    faultIn('stress-ng running')
    const start = Date.now()
    await sleep(10_000)
    const acked = workload.records.filter((r) => (r.acknowledgedAt ?? 0) >= start).length
    expect('uploads were acknowledged under pressure', acked > 0, `${acked} acknowledged in 10 s`)
  },
  rollbacks: [
    {
      name: 'remove the stress container',
      run: async ({ target }) =>
        void (await target
          .docker('rm', '-f', `${target.info.projectName}-chaos-stress`)
          .catch(() => '')),
    },
  ],
})
