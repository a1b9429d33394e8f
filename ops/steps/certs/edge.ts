import { installEdgeCertificate } from '../../lib/edge-certificate.ts'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { readServedCert } from '../../lib/served-cert.ts'
import { sleep } from 'zx'
import type { CertsContext } from './context.ts'
import { volumeCert } from './context.ts'

/** Why the edge is left alone: nothing new, and it already serves the volume's certificate. */
const unchanged = (c: CertsContext): string | false => {
  const held = volumeCert(c)
  if (!c.report || !held || c.report.deployed.includes(c.certName)) return false
  if (c.before?.serial !== held.serial) return false
  return 'nothing due: the edge already serves this certificate, nothing reloaded or restarted'
}

/** The edge takes the new certificate with a graceful reload (no restart, no dropped request). */
export const reloadEdge = defineStep<CertsContext>({
  name: 'reload edge',
  changes: true,
  plan: (c) => `link the edge to /etc/letsencrypt/live/${c.certName}, nginx -t, nginx -s reload`,
  skip: unchanged,
  run: async (c) => {
    await installEdgeCertificate(c.edge!.container, c.certName)
    return `${c.edge!.container}: nginx -s reload`
  },
})

/** Reads the certificate served over TLS from outside until it is the volume's (15 s at most). */
export const verifyServed = defineStep<CertsContext>({
  name: 'served certificate',
  changes: false,
  skip: (c) => (c.dryRun ? 'dry run: nothing was changed' : false),
  run: async (c) => {
    const want = volumeCert(c)
    if (!want) throw new StopError(`no certificate ${c.certName} in the volume`, 'run make certs')
    const deadline = Date.now() + 15_000
    for (;;) {
      c.after = await readServedCert('127.0.0.1', c.httpsPort, c.certName).catch(() => undefined)
      if (c.after?.serial === want.serial) break
      if (Date.now() > deadline)
        throw new StopError(
          `the edge serves serial ${c.after?.serial ?? '(nothing)'} on port ${c.httpsPort}, not the new ${want.serial}`,
          'check `make logs ARGS=edge`; in local mode a restarted edge goes back to the local CA (make certs again)'
        )
      await sleep(250)
    }
    return `serial ${c.after.serial} from ${c.after.issuer}, valid until ${c.after.notAfter.toISOString()}`
  },
})
