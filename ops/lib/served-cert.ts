// The certificate the edge serves, read over TLS from outside the way a browser meets it: the
// proof that a renewal reached clients, not only the volume.
import { connect } from 'node:tls'

export type ServedCert = { serial: string; notAfter: Date; issuer: string; names: string[] }

/** Serial numbers as one spelling: upper-case hex without leading zeros. */
export const normalizeSerial = (hex: string): string =>
  hex
    .replace(/[^0-9a-f]/gi, '')
    .toUpperCase()
    .replace(/^0+(?=.)/, '')

/** One TLS handshake with `host:port` (SNI `servername`); the chain is not judged here. */
export function readServedCert(
  host: string,
  port: number,
  servername: string,
  timeoutMs = 10_000
): Promise<ServedCert> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      // SNI must be a name, never an address (RFC 6066).
      ...(/^[\d.]+$|:/.test(servername) ? {} : { servername }),
      rejectUnauthorized: false,
    })
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no TLS answer in ${timeoutMs} ms`))
    )
    socket.once('error', reject)
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate()
      socket.end()
      if (!cert?.serialNumber) return reject(new Error('the server sent no certificate'))
      resolve({
        serial: normalizeSerial(cert.serialNumber),
        notAfter: new Date(cert.valid_to),
        issuer: String(cert.issuer?.CN ?? cert.issuer?.O ?? '?'),
        names: (cert.subjectaltname ?? '')
          .split(', ')
          .filter((s) => s.startsWith('DNS:'))
          .map((s) => s.slice(4)),
      })
    })
  })
}
