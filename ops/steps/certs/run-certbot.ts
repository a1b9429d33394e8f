import { $ } from 'zx'
import type { Duration } from 'zx'
import { certbotDockerArgs, parseCertbotReport } from '../../lib/certbot.ts'
import type { CertbotReport } from '../../lib/certbot.ts'
import type { CertsContext } from './context.ts'

export type CertbotResult = { ok: boolean; output: string; report: CertbotReport }

/** One certbot container with `args`; never throws on certbot's own failure. */
export async function runCertbot(
  c: CertsContext,
  args: string[],
  timeout: Duration
): Promise<CertbotResult> {
  const argv = certbotDockerArgs({
    image: c.image!.ref,
    project: c.project,
    network: c.edge!.network,
    ...(c.env.ACME_CA_BUNDLE ? { caBundle: c.env.ACME_CA_BUNDLE } : {}),
    args,
  })
  const out = await $({ quiet: true, nothrow: true, timeout })`docker ${argv}`
  return {
    ok: out.ok,
    output: `${out.stdout}\n${out.stderr}`,
    report: parseCertbotReport(out.stdout),
  }
}
