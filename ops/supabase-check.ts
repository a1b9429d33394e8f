#!/usr/bin/env -S npx tsx
// make supabase-check: checks, from the operator's machine, that a Supabase project is set up
// the way the API needs it. Changes nothing (a test sign-in only opens a session; the storage
// check writes one probe object and deletes it).
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv } from './lib/env.ts'
import { StopError } from './lib/errors.ts'
import { runScript } from './lib/main.ts'
import { createContext } from './lib/context.ts'
import { runPipeline } from './lib/pipeline.ts'
import type { SupabaseProject } from './lib/supabase-project.ts'
import type { SupabaseStorage } from './lib/supabase-storage.ts'
import { supabaseCheckPipeline } from './steps/supabase-check/index.ts'
import type { CheckContext } from './steps/supabase-check/index.ts'

const USAGE = `
Usage: make supabase-check [ARGS="--skip-database"]

Reads the API's settings from the environment (e.g. set -a; . ./.env; set +a):
  SUPABASE_URL          the project URL, https://<ref>.supabase.co (required)
  SUPABASE_JWT_SECRET   the legacy shared secret, if the project still signs with it
  SUPABASE_ANON_KEY     the public anon key, for the test sign-in
  SUPABASE_TEST_EMAIL, SUPABASE_TEST_PASSWORD
                        a confirmed test user: signs in and checks the API accepts its token
  DATABASE_URL          checked for a session connection (LISTEN/NOTIFY, advisory locks)
  S3_BUCKET, S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY,
  S3_FORCE_PATH_STYLE, S3_PREFIX
                        Storage through its S3 endpoint (https://<ref>.supabase.co/storage/v1/s3):
                        a probe object put, read by range and deleted with the API's adapter,
                        and its public URL refused (the bucket is private)

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
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_PREFIX: z.string().default(''),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
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
  // compose/.env (where the API's settings live) and the environment, empty values unset.
  const env = EnvSchema.safeParse((await loadOpsEnv()).raw)
  if (!env.success)
    throw new StopError(
      env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      'set the variables as for the API (see --help)'
    )
  const e = env.data
  const signIn = Boolean(e.SUPABASE_TEST_EMAIL && e.SUPABASE_TEST_PASSWORD)
  const database = !flags['skip-database']
  const project: SupabaseProject = {
    url: e.SUPABASE_URL,
    anonKey: e.SUPABASE_ANON_KEY,
    jwtSecret: e.SUPABASE_JWT_SECRET,
    testEmail: e.SUPABASE_TEST_EMAIL,
    testPassword: e.SUPABASE_TEST_PASSWORD,
    databaseUrl: e.DATABASE_URL,
    timeoutMs: flags.timeout * 1000,
  }
  const storage: SupabaseStorage | undefined = e.S3_BUCKET
    ? {
        projectUrl: e.SUPABASE_URL,
        ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
        bucket: e.S3_BUCKET,
        prefix: e.S3_PREFIX,
        region: e.S3_REGION,
        ...(e.S3_ACCESS_KEY_ID ? { accessKeyId: e.S3_ACCESS_KEY_ID } : {}),
        ...(e.S3_SECRET_ACCESS_KEY ? { secretAccessKey: e.S3_SECRET_ACCESS_KEY } : {}),
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
        timeoutMs: flags.timeout * 1000,
      }
    : undefined
  const ctx: CheckContext = {
    ...createContext({ dryRun: false }),
    project,
    signIn,
    database,
    ...(storage ? { storage } : {}),
  }
  console.log(`checking Supabase project ${project.url}`)
  await runPipeline(supabaseCheckPipeline, ctx)
})
