// certbot as the ops scripts run it: a one-shot container of compose/images/certbot on the
// stack's network, with the webroot and certificate volumes, and the lines its wrapper prints
// (certbot-run.sh) read back: which certificates the deploy hook ran for, and every certificate
// in the volume with its serial, expiry and CA.
import { normalizeSerial } from './served-cert.ts'

export const LETSENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory'
export const LETSENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory'
/** Where ACME_CA_BUNDLE is mounted in the certbot container (REQUESTS_CA_BUNDLE). */
const CA_BUNDLE_IN_CONTAINER = '/etc/medic-scribe/acme-ca.pem'

export type VolumeCert = { name: string; serial: string; notAfter: Date; server: string }
export type CertbotReport = { deployed: string[]; certs: VolumeCert[] }

/** The wrapper's DEPLOYED and CERT lines; everything else is certbot's own output. */
export function parseCertbotReport(stdout: string): CertbotReport {
  const deployed: string[] = []
  const certs: VolumeCert[] = []
  for (const line of stdout.split('\n')) {
    const [kind, ...rest] = line.trim().split(/\s+/)
    if (kind === 'DEPLOYED' && rest[0]) deployed.push(rest[0].split('/').at(-1)!)
    if (kind === 'CERT' && rest.length >= 3) {
      const [name, serial, notAfter, server = ''] = rest as [string, string, string, string?]
      certs.push({
        name,
        serial: normalizeSerial(serial),
        notAfter: new Date(Number(notAfter) * 1000),
        server,
      })
    }
  }
  return { deployed, certs }
}

export type CertbotRun = {
  image: string
  project: string
  network: string
  caBundle?: string
  args: string[]
}

/** `docker run …` arguments: unprivileged, read-only root, only its two volumes and the network. */
export function certbotDockerArgs(r: CertbotRun): string[] {
  return [
    'run',
    '--rm',
    // No fixed name: a dry run reading the volume may overlap a locked run.
    '--label',
    `org.medic-scribe.job=certbot-${r.project}`,
    '--network',
    r.network,
    '--read-only',
    '--tmpfs',
    '/tmp:size=64m,mode=1777',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges:true',
    '-v',
    `${r.project}_acme:/var/www/acme`,
    '-v',
    `${r.project}_letsencrypt:/etc/letsencrypt`,
    ...(r.caBundle
      ? [
          '-v',
          `${r.caBundle}:${CA_BUNDLE_IN_CONTAINER}:ro`,
          '-e',
          `REQUESTS_CA_BUNDLE=${CA_BUNDLE_IN_CONTAINER}`,
        ]
      : []),
    r.image,
    ...r.args,
  ]
}

export type IssueOptions = {
  certName: string
  names: string[]
  server: string
  email?: string
  profile?: string
  force: boolean
}

/** `certonly` by HTTP-01 through the webroot the edge serves; an unexpired one is kept. */
export function certonlyArgs(o: IssueOptions): string[] {
  return [
    'certonly',
    '--non-interactive',
    '--agree-tos',
    '--webroot',
    '--webroot-path',
    '/var/www/acme',
    '--cert-name',
    o.certName,
    ...o.names.flatMap((n) => ['-d', n]),
    '--server',
    o.server,
    ...(o.email ? ['--email', o.email] : ['--register-unsafely-without-email']),
    ...(o.profile ? ['--preferred-profile', o.profile] : []),
    '--keep-until-expiring',
    '--expand',
    ...(o.force ? ['--force-renewal'] : []),
  ]
}

export type RenewOptions = { profile?: string; force: boolean; noRandomSleep: boolean }

/**
 * `renew`: every certificate in the volume whose remaining lifetime is under a third (certbot
 * >= 4.0; a half for those of 10 days or less), each with the CA and webroot it was issued with.
 */
export function renewArgs(o: RenewOptions): string[] {
  return [
    'renew',
    '--non-interactive',
    ...(o.noRandomSleep ? ['--no-random-sleep-on-renew'] : []),
    ...(o.profile ? ['--preferred-profile', o.profile] : []),
    ...(o.force ? ['--force-renewal'] : []),
  ]
}

/** certbot's own last words on a failure, for the one-line stop message. */
export function certbotFailure(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(DEPLOYED|CERT) /.test(l) && !l.startsWith('certbot log:'))
  const why =
    lines.find((l) => /error|refused|timed out|resolve|unreachable|failed/i.test(l)) ?? lines.at(-1)
  return (why ?? 'no output').slice(0, 300)
}
