// make certs and make renew-certs, as one pipeline: certbot's image, the stack, what is served
// and held now, certbot (certonly or renew), a graceful edge reload when a certificate is new,
// the served certificate read back from outside; the metrics are written whatever happened.
import { fromRoot } from '../../lib/paths.ts'
import { runPipeline } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import type { CertsContext } from './context.ts'
import { certbot } from './certbot.ts'
import { current, image, stack } from './discover.ts'
import { reloadEdge, verifyServed } from './edge.ts'
import { metrics } from './metrics.ts'

export const certsPipeline: Pipeline<CertsContext> = {
  name: 'certificates',
  // One lock for issuing and renewing: the timer and an operator must not run certbot together.
  lock: (c) => ({
    file: fromRoot('build', 'certs', `${c.project}.lock`),
    holder: `certificates of ${c.project}`,
  }),
  steps: [image, stack, current, certbot, reloadEdge, verifyServed],
  always: [metrics],
}

export const runCerts = (ctx: CertsContext): Promise<void> => runPipeline(certsPipeline, ctx)
