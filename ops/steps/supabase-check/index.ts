// make supabase-check, as a pipeline of checks that only read: every check runs (keepGoing),
// so one run shows everything to fix, each failure with its hint.
import type { OpsContext } from '../../lib/context.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import { checkDatabase, checkJwks, checkSignIn } from '../../lib/supabase-project.ts'
import type { SupabaseProject } from '../../lib/supabase-project.ts'
import { checkStorage } from '../../lib/supabase-storage.ts'
import type { SupabaseStorage } from '../../lib/supabase-storage.ts'

export type CheckContext = OpsContext & {
  project: SupabaseProject
  /** A test user is configured (SUPABASE_TEST_EMAIL and SUPABASE_TEST_PASSWORD). */
  signIn: boolean
  database: boolean
  /** Storage's S3 settings (the API's S3_*), when S3_BUCKET is set. */
  storage?: SupabaseStorage
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

// Writes and deletes one probe object (under audio/.tmp/, which the API's sweep empties).
const storage = defineStep<CheckContext>({
  name: 'storage (S3 endpoint, private bucket)',
  changes: false,
  skip: (c) => (c.storage ? false : 'S3_BUCKET is not set (audio on the volumes)'),
  run: (c) => checkStorage(c.storage!),
})

export const supabaseCheckPipeline: Pipeline<CheckContext> = {
  name: 'supabase-check',
  keepGoing: true,
  steps: [jwks, signIn, database, storage],
}
