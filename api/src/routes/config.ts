import type { Hono } from 'hono'
import type { PublicConfig } from '../contract/auth.ts'
import type { AppDeps, AppEnv } from '../deps.ts'

/**
 * What the PWA needs before anyone signs in: which sign-in to show. Only values that are public
 * by design (Supabase's anon key ships in every browser client); no secret ever goes here.
 */
export function registerConfigRoutes(app: Hono<AppEnv>, deps: AppDeps) {
  const { SUPABASE_URL, SUPABASE_ANON_KEY, PWA_RECORD_OPUS } = deps.config
  const auth: PublicConfig = SUPABASE_URL
    ? {
        auth: {
          mode: 'supabase',
          supabase_url: SUPABASE_URL.replace(/\/+$/, ''),
          supabase_anon_key: SUPABASE_ANON_KEY ?? null,
        },
      }
    : { auth: { mode: 'local' } }
  const body: PublicConfig = { ...auth, recording: { opus: PWA_RECORD_OPUS } }
  // no-cache: a redeploy that switches the mode is seen on the next load, via revalidation.
  app.get('/api/config', (c) => c.json(body, 200, { 'cache-control': 'no-cache' }))
}
