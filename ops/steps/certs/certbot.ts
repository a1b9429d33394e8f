import { certbotFailure, certonlyArgs, renewArgs } from '../../lib/certbot.ts'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { detail } from '../../lib/step.ts'
import type { CertsContext } from './context.ts'
import { volumeCert } from './context.ts'
import { runCertbot } from './run-certbot.ts'

const args = (c: CertsContext): string[] => {
  if (c.verb === 'renew')
    return renewArgs({
      force: c.force,
      noRandomSleep: c.noRandomSleep,
      ...(c.env.ACME_PROFILE ? { profile: c.env.ACME_PROFILE } : {}),
    })
  // A certificate from another CA (staging, before --production) is replaced, not kept.
  const held = volumeCert(c)
  const otherCa = held !== undefined && held.server !== c.server
  if (otherCa) detail(`replacing the certificate from ${held.server}`)
  return certonlyArgs({
    certName: c.certName,
    names: c.names,
    server: c.server,
    force: c.force || otherCa,
    ...(c.env.ACME_EMAIL ? { email: c.env.ACME_EMAIL } : {}),
    ...(c.env.ACME_PROFILE ? { profile: c.env.ACME_PROFILE } : {}),
  })
}

/** The CA(s) this run talks to: the directory given, or each certificate's own on renewal. */
const caOf = (c: CertsContext): string => {
  if (c.verb === 'issue') return c.server
  const servers = [...new Set(c.report?.certs.map((x) => x.server) ?? [])]
  return servers.join(', ') || 'the CA'
}

/** certbot issues or renews; the deploy hook reports each certificate it wrote. */
export const certbot = defineStep<CertsContext>({
  name: (c) => (c.verb === 'issue' ? 'certbot certonly' : 'certbot renew'),
  changes: true,
  plan: (c) =>
    c.verb === 'issue'
      ? `ask ${c.server} for ${c.names.join(', ')} (HTTP-01 through the edge's webroot)${c.force ? ', forced' : ''}`
      : `renew what is due (a third of its lifetime left) with ${caOf(c)}${c.force ? ', forced' : ''}`,
  run: async (c) => {
    if (c.verb === 'renew' && !c.noRandomSleep && c.force === false)
      detail(
        'certbot may first wait a random 0-8 min when a renewal is due (spreads load on the CA)'
      )
    const before = volumeCert(c)
    const started = performance.now()
    const result = await runCertbot(c, args(c), '15m')
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    if (result.report.certs.length || result.ok) c.report = result.report
    if (!result.ok) {
      c.failedAt = new Date()
      const kept = before ?? volumeCert(c)
      throw new StopError(
        `${c.verb === 'issue' ? 'issuance' : 'renewal'} failed at the CA ${caOf(c)}: ${certbotFailure(result.output)}`,
        kept
          ? `the edge keeps serving the certificate valid until ${kept.notAfter.toISOString()}; retry when the CA answers`
          : 'nothing was changed; check the name resolves to this host and port 80 reaches the edge'
      )
    }
    const deployed = result.report.deployed
    return deployed.length
      ? `new certificate for ${deployed.join(', ')} in ${seconds} s`
      : `nothing due (${seconds} s): certbot kept the certificate`
  },
})
