import { ensureCachedImage } from '../../lib/cached-image.ts'
import { formatMB } from '../../lib/docker.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { readServedCert } from '../../lib/served-cert.ts'
import { findEdge } from '../../lib/stack-edge.ts'
import { detail } from '../../lib/step.ts'
import type { CertsContext } from './context.ts'
import { runCertbot } from './run-certbot.ts'

/** certbot's image, built on first use (cached by the content of compose/images/certbot). */
export const image = defineStep<CertsContext>({
  name: 'certbot image',
  changes: false,
  run: async (c) => {
    c.image = await ensureCachedImage(c, 'certbot')
    return `${c.image.ref}, ${formatMB(c.image.bytes)}${c.image.built ? ', built now' : ''}`
  },
})

/** The running edge, its network, and that it mounts the acme and letsencrypt volumes. */
export const stack = defineStep<CertsContext>({
  name: 'stack',
  changes: false,
  run: async (c) => {
    c.edge = await findEdge(c.project, ['acme', 'letsencrypt'])
    return `${c.edge.container} on ${c.edge.network}`
  },
})

const days = (d: Date): string => `${((d.getTime() - Date.now()) / 86_400_000).toFixed(1)} days`

/** What clients get now (read over TLS from outside) and what the volume holds. */
export const current = defineStep<CertsContext>({
  name: 'current certificate',
  changes: false,
  run: async (c) => {
    c.before = await readServedCert('127.0.0.1', c.httpsPort, c.certName).catch((err) => {
      detail(`served on 127.0.0.1:${c.httpsPort}: unreadable (${String(err)})`)
      return undefined
    })
    if (c.before)
      detail(
        `served: serial ${c.before.serial} from ${c.before.issuer}, valid ${days(c.before.notAfter)}`
      )
    if (c.dryRun && c.image?.built) return 'certbot image not built yet (dry run): volume not read'
    const { report } = await runCertbot(c, ['certificates'], '2m')
    c.report = report
    const own = report.certs.find((x) => x.name === c.certName)
    return own
      ? `the volume holds ${own.name}: serial ${own.serial}, valid ${days(own.notAfter)}, from ${own.server}`
      : `the volume holds no certificate for ${c.certName} yet`
  },
})
