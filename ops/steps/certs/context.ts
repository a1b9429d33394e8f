// What one `make certs` or `make renew-certs` run knows: its settings, and what each step found.
import { createContext } from '../../lib/context.ts'
import type { OpsContext } from '../../lib/context.ts'
import type { CachedImage } from '../../lib/cached-image.ts'
import type { CertbotReport } from '../../lib/certbot.ts'
import type { OpsEnv } from '../../lib/env.ts'
import type { ServedCert } from '../../lib/served-cert.ts'
import type { StackEdge } from '../../lib/stack-edge.ts'

export type CertsContext = OpsContext & {
  verb: 'issue' | 'renew'
  env: OpsEnv
  project: string
  /** The certificate's name in the volume: SERVER_NAME. */
  certName: string
  /** SERVER_NAME, then CERT_EXTRA_NAMES. */
  names: string[]
  /** The ACME directory a first issuance uses (a renewal uses each certificate's own). */
  server: string
  force: boolean
  noRandomSleep: boolean
  /** Where the served certificate is read from outside: 127.0.0.1:<HTTPS port>. */
  httpsPort: number
  // Filled in by the steps, in order.
  image?: CachedImage
  edge?: StackEdge
  before?: ServedCert
  report?: CertbotReport
  after?: ServedCert
  /** Set when certbot failed (the metrics record the failure). */
  failedAt?: Date
}

export function createCertsContext(
  o: Omit<CertsContext, keyof OpsContext> & { dryRun: boolean }
): CertsContext {
  return { ...createContext({ dryRun: o.dryRun }), ...o }
}

/** The certificate the volume holds for this run's name, after certbot ran. */
export const volumeCert = (c: CertsContext) => c.report?.certs.find((x) => x.name === c.certName)
