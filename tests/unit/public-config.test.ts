import { afterEach, describe, expect, it } from 'vitest'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { Hono } from 'hono'
import { registerConfigRoutes } from '../../api/src/routes/config.ts'
import type { PublicConfig as PublicConfigResponse } from '../../api/src/contract/auth.ts'
import type { AppDeps, AppEnv } from '../../api/src/deps.ts'
import { parseConfig } from '../../api/src/config.ts'
import { buildRuntimeParts } from '../../api/src/adapters/runtime.ts'
import { silentLogger } from '../../api/src/lib/logger.ts'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// GET /api/config tells the PWA, before sign-in, whether to show local or Supabase sign-in.
describe('GET /api/config', { timeout: 60_000 }, () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.close()
    h = undefined
  })
  const read = async (env: Record<string, string>) => {
    h = await createHarness({ stt: 'none', env })
    const res = await h.request('/api/config')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-cache')
    return { res, body: (await res.json()) as PublicConfigResponse }
  }

  it('should answer local mode without a token', async () => {
    const { body } = await read({})
    expect(body).toEqual({ auth: { mode: 'local' }, recording: { opus: true } })
    // The rest of /api stays behind sign-in.
    expect((await h!.request('/api/notes')).status).toBe(401)
  })

  it('should give the Supabase URL and anon key, and never the JWT secret', async () => {
    const secret = 'legacy-supabase-jwt-secret-legacy-secret-0042'
    const { res, body } = await read({
      SUPABASE_URL: 'https://abcd.supabase.co/',
      SUPABASE_ANON_KEY: 'sb_publishable_abc123',
      SUPABASE_JWT_SECRET: secret,
    })
    expect(body).toEqual({
      auth: {
        mode: 'supabase',
        supabase_url: 'https://abcd.supabase.co',
        supabase_anon_key: 'sb_publishable_abc123',
      },
      recording: { opus: true },
    })
    expect(JSON.stringify(body)).not.toContain(secret)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  })

  it('should tell the PWA not to record Opus when PWA_RECORD_OPUS is false', async () => {
    const { body } = await read({ PWA_RECORD_OPUS: 'false' })
    expect(body.recording).toEqual({ opus: false })
  })

  it('should say null for an anon key that is not configured', async () => {
    // The route reads nothing but the config, so a bare app is enough here.
    const app = new Hono<AppEnv>()
    const config = parseConfig({ SUPABASE_URL: 'https://abcd.supabase.co' })
    registerConfigRoutes(app, { config } as AppDeps)
    const body = (await (await app.request('/api/config')).json()) as PublicConfigResponse
    expect(body.auth).toEqual({
      mode: 'supabase',
      supabase_url: 'https://abcd.supabase.co',
      supabase_anon_key: null,
    })
  })
})

describe('Supabase mode settings', { timeout: 60_000 }, () => {
  it('should refuse Supabase keys without SUPABASE_URL, naming it', () => {
    expect(() => parseConfig({ SUPABASE_ANON_KEY: 'k' })).toThrow(
      /SUPABASE_URL: required with SUPABASE_ANON_KEY/
    )
  })

  it('should accept a Supabase project without the legacy secret, also in production', () => {
    const c = parseConfig({ NODE_ENV: 'production', SUPABASE_URL: 'https://abcd.supabase.co' })
    expect(c.SUPABASE_JWT_SECRET).toBeUndefined()
    expect(c.SUPABASE_JWKS_CACHE_SECONDS).toBe(600)
    expect(c.SUPABASE_JWKS_COOLDOWN_SECONDS).toBe(30)
    expect(c.SUPABASE_CLOCK_SKEW_SECONDS).toBe(30)
  })

  it('should start without JWT_SECRET and without writing a local key into DATA_DIR', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scribe-supabase-'))
    try {
      // A folder where the local key file would go: writing or reading it fails, even as root.
      await mkdir(join(dir, 'data', '.jwt-secret'), { recursive: true })
      const config = parseConfig({
        NODE_ENV: 'production',
        SUPABASE_URL: 'https://abcd.supabase.co',
        DATA_DIR: join(dir, 'data'),
        AUDIO_DIR: join(dir, 'audio'),
        NOTES_DIR: join(dir, 'notes'),
      })
      const parts = await buildRuntimeParts(config, silentLogger)
      await parts.db.close()
      expect(parts.jwtSecret).toBe('')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
