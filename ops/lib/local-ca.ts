import { $, fs, path } from 'zx'

const quiet = $({ quiet: true })

export type LocalCertPaths = { caCert: string; serverCert: string; serverKey: string }

export function localCertPaths(dir: string): LocalCertPaths {
  return {
    caCert: path.join(dir, 'ca', 'ca.crt'),
    serverCert: path.join(dir, 'server', 'fullchain.pem'),
    serverKey: path.join(dir, 'server', 'privkey.pem'),
  }
}

/** Seconds until the certificate expires; negative or undefined when missing or expired. */
async function secondsLeft(cert: string): Promise<number | undefined> {
  if (!(await fs.pathExists(cert))) return undefined
  const out = await quiet`openssl x509 -in ${cert} -noout -enddate`.nothrow()
  const when = Date.parse(out.stdout.replace('notAfter=', '').trim())
  return Number.isNaN(when) ? undefined : (when - Date.now()) / 1000
}

/**
 * A local CA and a server certificate it signs for localhost and 127.0.0.1, so browsers and
 * tests can trust the edge by trusting one CA file. Kept until 30 days before expiry.
 * Returns what it did.
 */
export async function ensureLocalCerts(
  dir: string,
  names: string[],
  dryRun = false
): Promise<string> {
  const p = localCertPaths(dir)
  const caKey = path.join(dir, 'ca', 'ca.key')
  const done: string[] = []
  const month = 30 * 24 * 3600
  if (((await secondsLeft(p.caCert)) ?? 0) < month) {
    if (dryRun) return 'would create a local CA and a server certificate'
    await fs.mkdirp(path.dirname(caKey), { mode: 0o700 })
    await quiet`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 -subj ${'/CN=Medic Scribe local CA'} -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -keyout ${caKey} -out ${p.caCert}`
    await fs.chmod(caKey, 0o600)
    await fs.remove(p.serverCert)
    done.push('created a local CA')
  }
  if (((await secondsLeft(p.serverCert)) ?? 0) < month) {
    if (dryRun) return 'would issue a server certificate'
    const server = path.dirname(p.serverCert)
    await fs.mkdirp(server)
    const csr = path.join(server, 'server.csr')
    const ext = path.join(server, 'server.ext')
    const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')
    await fs.writeFile(
      ext,
      `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`
    )
    await quiet`openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj ${`/CN=${names[0]}`} -keyout ${p.serverKey} -out ${csr}`
    await quiet`openssl x509 -req -in ${csr} -CA ${p.caCert} -CAkey ${caKey} -CAcreateserial -days 397 -extfile ${ext} -out ${p.serverCert}`
    await fs.remove(csr)
    await fs.remove(ext)
    // The edge reads the key as www-data through a read-only bind mount; the folder above
    // (compose/certs, mode 700) keeps other users of this machine out.
    await fs.chmod(p.serverKey, 0o644)
    done.push(`issued a server certificate for ${names.join(', ')}`)
  }
  await fs.chmod(dir, 0o700)
  return done.length ? done.join('; ') : 'certificates are valid'
}
