import { defineDrill } from '../lib/drill.ts'
import { ensureHealthy, sleep } from '../lib/faults.ts'

export default defineDrill({
  name: 'edge-restart',
  title: 'the edge reloaded three times, then restarted, under load',
  hypothesis:
    'nginx reloads drop no request, and a restart of the edge only refuses connections for a moment: clients retry with their keys and every acknowledged recording ends as one note.',
  fault: 'nginx -s reload three times 2 s apart, then docker restart -t 5 <edge>',
  recoverWithinMs: 60_000,
  async method({ target, faultIn, note }) {
    const edge = target.container('edge')
    faultIn('nginx -s reload')
    for (let i = 0; i < 3; i++) {
      await target.docker('exec', edge, 'nginx', '-s', 'reload')
      await sleep(2_000)
    }
    note('reloaded three times; restarting the edge')
    await target.docker('restart', '-t', '5', edge)
    await sleep(2_000)
  },
  rollbacks: [
    { name: 'the edge running and healthy', run: ({ target }) => ensureHealthy(target, 'edge') },
  ],
})
