// Puts a certificate from the letsencrypt volume in front of clients: the edge's edge-tls
// (compose/images/edge/edge-tls.sh) links /tmp/tls to it and decides on OCSP stapling, nginx
// checks the config, then `nginx -s reload`: new workers handshake with the new certificate,
// old ones finish their requests. Nothing restarts.
import { $ } from 'zx'
import { StopError } from './errors.ts'

const q = $({ quiet: true, timeout: '30s' })

export const liveDir = (certName: string): string => `/etc/letsencrypt/live/${certName}`

export async function installEdgeCertificate(edge: string, certName: string): Promise<void> {
  const linked = await q`docker exec ${edge} edge-tls ${liveDir(certName)}`.nothrow()
  if (!linked.ok)
    throw new StopError(
      `the edge cannot read the certificate ${certName}: ${linked.stderr.trim().split('\n').at(-1)}`,
      'the edge still serves the previous certificate; check that it mounts the letsencrypt volume (make up)'
    )
  const test = await q`docker exec ${edge} nginx -t -q`.nothrow()
  if (!test.ok)
    throw new StopError(
      `the edge refused the new certificate: ${test.stderr.trim().split('\n').at(-1)}`,
      'the running nginx still serves the previous one; see `make logs ARGS=edge`'
    )
  await q`docker exec ${edge} nginx -s reload`
}
