#!/usr/bin/env -S npx tsx
// Renews what is due (certbot >= 4.0: a third of the lifetime left), reloads the edge gracefully
// when a certificate is new, and reads the served one back over TLS. Nothing due: nothing is
// restarted. The CA unreachable: the old certificate keeps serving, exit 1 naming the CA.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv, projectName } from './lib/env.ts'
import { runScript } from './lib/main.ts'
import { createCertsContext } from './steps/certs/context.ts'
import { runCerts } from './steps/certs/index.ts'

const USAGE = `
Usage: npx tsx ops/renew-certs.ts [--no-random-sleep] [--force] [--project NAME] [--dry-run]
       (make renew-certs; the timer ops/systemd/medic-scribe-renew-certs.timer, every 12 h)

  1. builds certbot's image on first use; finds the running edge of the project;
  2. certbot renew: every certificate in the letsencrypt volume with a third of its lifetime
     left or less (10-day ones: a half), each with the CA, webroot and profile it was issued with;
  3. when one was renewed (the deploy hook reports it): the edge is linked to it and reloaded
     (nginx -s reload, no restart), and the certificate served on 127.0.0.1:HTTPS_PORT is read
     until it is the new one (serial, notAfter);
  4. writes METRICS_TEXTFILE_DIR/certificates.prom: expiry, last failure, last success.

  --no-random-sleep  skip certbot's random wait (up to 8 min) before a due renewal; for drills
                     and runs by hand: the timer keeps it, so renewals spread over the CA's day
  --force            renew now even if nothing is due
  --project          the compose project (default COMPOSE_PROJECT_NAME or medic-scribe)
  Settings as for make certs (ACME_PROFILE, ACME_CA_BUNDLE, HTTPS_PORT, METRICS_TEXTFILE_DIR).
`

await runScript(async () => {
  const env = await loadOpsEnv()
  const flags = parseArgs({
    usage: USAGE,
    // minimist reads --no-random-sleep as random-sleep=false.
    boolean: ['dry-run', 'force', 'random-sleep'],
    string: ['project'],
    shape: {
      'dry-run': z.boolean().default(false),
      force: z.boolean().default(false),
      'random-sleep': z.boolean().default(true),
      project: projectName.default(env.COMPOSE_PROJECT_NAME),
    },
  })
  await runCerts(
    createCertsContext({
      verb: 'renew',
      dryRun: flags['dry-run'],
      env,
      project: flags.project,
      certName: env.SERVER_NAME,
      names: [env.SERVER_NAME],
      server: env.ACME_SERVER ?? '',
      force: flags.force,
      noRandomSleep: !flags['random-sleep'],
      httpsPort: env.HTTPS_PORT ?? (env.STACK_MODE === 'prod' ? 443 : 8443),
    })
  )
})
