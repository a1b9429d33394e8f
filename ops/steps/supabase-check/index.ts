// make supabase-check, as a pipeline of checks that only read: every check runs (keepGoing),
// so one run shows everything to fix, each failure with its hint.
import type { OpsContext } from '../../lib/context.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import { checkDatabase, checkJwks, checkSignIn } from '../../lib/supabase-project.ts'
import type { SupabaseProject } from '../../lib/supabase-project.ts'

export type CheckContext = OpsContext & {
  project: SupabaseProject
  /** A test user is configured (SUPABASE_TEST_EMAIL and SUPABASE_TEST_PASSWORD). */
  signIn: boolean
  database: boolean
}

const jwks = defineStep<CheckContext>({
  name: 'signing keys (JWKS)',
  changes: false,
  run: (c) => checkJwks(c.project),
})

const signIn = defineStep<CheckContext>({
  name: 'test sign-in',
  changes: false,
  skip: (c) => (c.signIn ? false : 'SUPABASE_TEST_EMAIL and SUPABASE_TEST_PASSWORD are not set'),
  run: (c) => checkSignIn(c.project),
})

const database = defineStep<CheckContext>({
  name: 'database session mode',
  changes: false,
  skip: (c) => (c.database ? false : '--skip-database'),
  run: (c) => checkDatabase(c.project),
})

const storage = defineStep<CheckContext>({
  name: 'storage',
  changes: false,
  skip: () => 'not checked by this script yet (see RUNBOOK.md#supabase)',
  run: async () => undefined,
})

export const supabaseCheckPipeline: Pipeline<CheckContext> = {
  name: 'supabase-check',
  keepGoing: true,
  steps: [jwks, signIn, database, storage],
}
