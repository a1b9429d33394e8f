#!/usr/bin/env -S npx tsx
// First issuance of the edge's certificate: certbot (HTTP-01 through the webroot the edge serves
// on port 80) into the stack's letsencrypt volume, then a graceful edge reload. Let's Encrypt's
// staging CA unless --production, so a mistake never burns the production rate limits.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { LETSENCRYPT_PRODUCTION, LETSENCRYPT_STAGING } from './lib/certbot.ts'
import { loadOpsEnv, projectName } from './lib/env.ts'
import { runScript } from './lib/main.ts'
import { detail } from './lib/step.ts'
import { createCertsContext } from './steps/certs/context.ts'
import { runCerts } from './steps/certs/index.ts'

const USAGE = `
Usage: npx tsx ops/certs.ts [--production] [--force] [--project NAME] [--dry-run]   (make certs)

  1. builds certbot's image on first use (compose/images/certbot, Debian's certbot);
  2. finds the running edge of the project, reads the certificate it serves and the volume's;
  3. certbot certonly --webroot for SERVER_NAME and CERT_EXTRA_NAMES, in a one-shot container
     on the stack's network (an unexpired certificate is kept unless --force);
  4. links the edge to /etc/letsencrypt/live/SERVER_NAME and reloads it (nginx -s reload);
  5. reads the certificate served on 127.0.0.1:HTTPS_PORT until it is the new one;
  6. writes METRICS_TEXTFILE_DIR/certificates.prom (expiry, last failure and success).

  --production  Let's Encrypt's production CA (default: its staging CA, untrusted certificates)
  --force       a new certificate even if the current one is not due
  --project     the compose project (default COMPOSE_PROJECT_NAME or medic-scribe)
  Settings (compose/.env or the environment): SERVER_NAME, CERT_EXTRA_NAMES (comma-separated),
  ACME_SERVER (another CA's directory; --production is then moot), ACME_EMAIL, ACME_PROFILE
  (e.g. tlsserver, shortlived), ACME_CA_BUNDLE (PEM trusted for a private CA's own TLS),
  HTTPS_PORT (default 443 with STACK_MODE=prod, else 8443), METRICS_TEXTFILE_DIR.
  Renewals: make renew-certs (RUNBOOK.md#certificates).
`

await runScript(async () => {
  const env = await loadOpsEnv()
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run', 'production', 'force'],
    string: ['project'],
    shape: {
      'dry-run': z.boolean().default(false),
      production: z.boolean().default(false),
      force: z.boolean().default(false),
      project: projectName.default(env.COMPOSE_PROJECT_NAME),
    },
  })
  const server =
    env.ACME_SERVER ?? (flags.production ? LETSENCRYPT_PRODUCTION : LETSENCRYPT_STAGING)
  detail(
    env.ACME_SERVER
      ? `CA: ${server} (ACME_SERVER)`
      : flags.production
        ? `CA: Let's Encrypt production (${server})`
        : `CA: Let's Encrypt STAGING (${server}): browsers will not trust it; --production when this works`
  )
  await runCerts(
    createCertsContext({
      verb: 'issue',
      dryRun: flags['dry-run'],
      env,
      project: flags.project,
      certName: env.SERVER_NAME,
      names: [...new Set([env.SERVER_NAME, ...env.CERT_EXTRA_NAMES])],
      server,
      force: flags.force,
      noRandomSleep: true,
      httpsPort: env.HTTPS_PORT ?? (env.STACK_MODE === 'prod' ? 443 : 8443),
    })
  )
})
