import { updateCertMetrics } from '../../lib/cert-metrics.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { CertsContext } from './context.ts'

/**
 * Always: the expiry clients see (or the volume's) and this run's outcome, for the monitor's
 * alerts. A failed renewal is visible there even when no one reads the timer's log.
 */
export const metrics = defineStep<CertsContext>({
  name: 'metrics',
  changes: true,
  plan: (c) => `write ${c.env.METRICS_TEXTFILE_DIR}/certificates.prom`,
  skip: (c) => (!c.report && !c.failedAt ? 'nothing was learnt about the certificates' : false),
  run: async (c) => {
    const notAfter: Record<string, Date> = {}
    for (const cert of c.report?.certs ?? []) notAfter[cert.name] = cert.notAfter
    if (c.after) notAfter[c.certName] = c.after.notAfter
    const ok = !c.failedAt && c.report !== undefined
    return updateCertMetrics(c.env.METRICS_TEXTFILE_DIR, {
      notAfter,
      ...(c.failedAt ? { lastFailure: c.failedAt } : {}),
      ...(ok ? { lastSuccess: new Date() } : {}),
    })
  },
})
