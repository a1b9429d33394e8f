#!/usr/bin/env -S npx tsx
// Grades the edge's TLS with testssl.sh 3.2 (Debian trixie's; the grade is the tool's own,
// after SSL Labs' rating guide), from a container on the stack's network, and prints the grade,
// the protocols, suites, groups, HSTS, and every finding that cost points.
import { z } from 'zod'
import { fs } from 'zx'
import { parseArgs } from './lib/args.ts'
import { localCertPaths } from './lib/local-ca.ts'
import { CERTS_DIR } from './lib/compose.ts'
import { loadOpsEnv, projectName } from './lib/env.ts'
import { StopError } from './lib/errors.ts'
import { runScript } from './lib/main.ts'
import { detail } from './lib/step.ts'
import { GRADE_ORDER, gradeBelow } from './lib/testssl.ts'
import { runTlsGrade } from './steps/tls-grade/index.ts'

const USAGE = `
Usage: npx tsx ops/tls-grade.ts [--ca FILE | --no-ca] [--name NAME] [--json FILE] [--project NAME]
       [--min-grade A+] [--dry-run]   (make tls-grade)

  1. builds testssl.sh's image on first use (compose/images/testssl, Debian trixie's 3.2);
  2. runs it against the project's edge (its address on the stack's network, port 8443, the
     certificate checked against NAME) with the checks the grade needs, plus BREACH and LUCKY13;
  3. prints the grade, protocols, cipher suites, groups, HSTS and what cost points.

  --ca FILE     trust this CA in the chain check (a local or private CA); in local mode the
                local CA (compose/certs/ca/ca.crt) by default. It is named in the report:
                public clients do not trust it, and without it the grade is capped at T.
  --no-ca       check the chain against the public roots only
  --name        the server name to check (default SERVER_NAME)
  --json FILE   keep testssl.sh's JSON
  --min-grade   exit 1 when the grade is worse (A+, A, A-, B, ...)
  --project     the compose project (default COMPOSE_PROJECT_NAME or medic-scribe)
`

await runScript(async () => {
  const env = await loadOpsEnv()
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    string: ['ca', 'name', 'json', 'project', 'min-grade'],
    shape: {
      'dry-run': z.boolean().default(false),
      // minimist reads --no-ca as ca=false.
      ca: z.union([z.string().min(1), z.literal(false)]).optional(),
      name: z.string().min(1).default(env.SERVER_NAME),
      json: z.string().min(1).optional(),
      'min-grade': z.enum(GRADE_ORDER).optional(),
      project: projectName.default(env.COMPOSE_PROJECT_NAME),
    },
  })
  const noCa = flags.ca === false
  let ca = flags.ca || undefined
  if (ca && !(await fs.pathExists(ca)))
    throw new StopError(`--ca ${ca}: no such file`, 'see --help')
  const localCa = localCertPaths(CERTS_DIR).caCert
  if (!ca && !noCa && env.STACK_MODE === 'local' && (await fs.pathExists(localCa))) {
    ca = localCa
    detail(`local mode: trusting the local CA ${localCa} for the chain check (--no-ca: not)`)
  }
  const report = await runTlsGrade({
    dryRun: flags['dry-run'],
    project: flags.project,
    name: flags.name,
    ...(ca ? { ca: await fs.realpath(ca) } : {}),
    ...(flags.json ? { jsonOut: flags.json } : {}),
  })
  const min = flags['min-grade']
  if (min && report) {
    if (gradeBelow(report.grade, min))
      throw new StopError(
        `the grade ${report.grade ?? '(none)'} is below ${min}`,
        'see the findings above'
      )
  }
})
