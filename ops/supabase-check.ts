#!/usr/bin/env -S npx tsx
// make supabase-check: checks, from the operator's machine, that a Supabase project is set up
// the way the API needs it. Changes nothing (a test sign-in only opens a session). Storage is
// not checked yet (see RUNBOOK.md#supabase).
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { StopError } from './lib/errors.ts'
import { runScript } from './lib/main.ts'
import { detail, step } from './lib/step.ts'
import { checkDatabase, checkJwks, checkSignIn } from './lib/supabase-project.ts'
import type { SupabaseProject } from './lib/supabase-project.ts'

const USAGE = `
Usage: make supabase-check [ARGS="--skip-database"]

Reads the API's settings from the environment (e.g. set -a; . ./.env; set +a):
  SUPABASE_URL          the project URL, https://<ref>.supabase.co (required)
  SUPABASE_JWT_SECRET   the legacy shared secret, if the project still signs with it
  SUPABASE_ANON_KEY     the public anon key, for the test sign-in
  SUPABASE_TEST_EMAIL, SUPABASE_TEST_PASSWORD
                        a confirmed test user: signs in and checks the API accepts its token
  DATABASE_URL          checked for a session connection (LISTEN/NOTIFY, advisory locks)

  --skip-database       do not connect to DATABASE_URL
  --timeout SECONDS     per request (default 10)
`

const EnvSchema = z.object({
  SUPABASE_URL: z.url({ message: 'required: the project URL, https://<ref>.supabase.co' }),
  SUPABASE_JWT_SECRET: z.string().min(1).optional(),
  SUPABASE_ANON_KEY: z.string().min(1).optional(),
  SUPABASE_TEST_EMAIL: z.string().min(1).optional(),
  SUPABASE_TEST_PASSWORD: z.string().min(1).optional(),
  DATABASE_URL: z.string().min(1).optional(),
})

await runScript(async () => {
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['skip-database'],
    string: ['timeout'],
    shape: {
      'skip-database': z.boolean().default(false),
      timeout: z.coerce.number().positive().max(120).default(10),
    },
  })
  const raw = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ''))
  const env = EnvSchema.safeParse(raw)
  if (!env.success)
    throw new StopError(
      env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      'set the variables as for the API (see --help)'
    )
  const e = env.data
  const project: SupabaseProject = {
    url: e.SUPABASE_URL,
    anonKey: e.SUPABASE_ANON_KEY,
    jwtSecret: e.SUPABASE_JWT_SECRET,
    testEmail: e.SUPABASE_TEST_EMAIL,
    testPassword: e.SUPABASE_TEST_PASSWORD,
    databaseUrl: e.DATABASE_URL,
    timeoutMs: flags.timeout * 1000,
  }
  const checks: [string, (p: SupabaseProject) => Promise<string>][] = [
    ['signing keys (JWKS)', checkJwks],
  ]
  const signIn = Boolean(e.SUPABASE_TEST_EMAIL && e.SUPABASE_TEST_PASSWORD)
  if (signIn) checks.push(['test sign-in', checkSignIn])
  if (!flags['skip-database']) checks.push(['database session mode', checkDatabase])
  console.log(`checking Supabase project ${project.url}: ${checks.map(([n]) => n).join(', ')}`)
  if (!signIn) detail('no test sign-in: SUPABASE_TEST_EMAIL/SUPABASE_TEST_PASSWORD are not set')
  detail('storage is not checked by this script yet')

  // Every check runs, so one run shows everything to fix; each failure prints its hint.
  const failed: string[] = []
  for (const [name, check] of checks) {
    await step(name, () => check(project)).catch((err: unknown) => {
      if (!(err instanceof StopError)) throw err
      detail(`${err.message}\n    → ${err.hint}`)
      failed.push(name)
    })
  }
  if (failed.length)
    throw new StopError(`${failed.length} check(s) failed: ${failed.join(', ')}`, 'see above')
})
