import { defineDrill } from '../lib/drill.ts'
import { ensureHealthy } from '../lib/faults.ts'

export default defineDrill({
  name: 'postgres-restart',
  title: 'postgres restarted (docker restart) under load',
  hypothesis:
    'A database restart drops every connection; the api reconnects by itself, live events resume, and nothing acknowledged is lost.',
  fault: 'docker restart -t 5 <postgres>',
  recoverWithinMs: 60_000,
  async method({ target, faultIn }) {
    faultIn('docker restart postgres')
    await target.docker('restart', '-t', '5', target.container('postgres'))
  },
  rollbacks: [
    {
      name: 'postgres running and healthy',
      run: ({ target }) => ensureHealthy(target, 'postgres'),
    },
  ],
})
