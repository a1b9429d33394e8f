import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT } from 'jose'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { makeSigningKey, startJwksServer } from '../support/jwks-server.ts'
import type { JwksServer, SigningKey } from '../support/jwks-server.ts'
import { startPostgres } from '../support/postgres-server.ts'
import type { StartedPostgres } from '../support/postgres-server.ts'
import { createSupabaseTokens } from '../../api/src/auth/supabase-tokens.ts'
import { InvalidTokenError, SigningKeysUnavailableError } from '../../api/src/auth/tokens.ts'

type ErrorBody = { error: { code: string; message: string; request_id?: string } }

const SECRET = 'legacy-supabase-jwt-secret-legacy-secret-0042'

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body = (await res.json()) as ErrorBody
  expect(body.error.code).toBe(code)
  return body.error
}

// Supabase projects on asymmetric JWT signing keys: the API fetches the project's JWKS over HTTP
// (here a real server on 127.0.0.1 publishing keys this test generated) and caches it.
describe('auth: Supabase signing keys (JWKS)', () => {
  let jwks: JwksServer
  let h: Harness
  let es1: SigningKey
  let rs1: SigningKey
  const notes = (token: string) =>
    h.request('/api/notes', { headers: { authorization: `Bearer ${token}` } })
  const legacy = (sub: string, secret = SECRET) =>
    new SignJWT({ email: `${sub.slice(0, 8)}@example.org`, role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(`${jwks.url}/auth/v1`)
      .setAudience('authenticated')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret))

  beforeAll(async () => {
    ;[es1, rs1] = await Promise.all([
      makeSigningKey('es-1', 'ES256'),
      makeSigningKey('rs-1', 'RS256'),
    ])
    jwks = await startJwksServer([es1, rs1])
    h = await createHarness({
      stt: 'none',
      env: {
        SUPABASE_URL: jwks.url,
        SUPABASE_JWT_SECRET: SECRET,
        // No cooldown, so the rotation below is picked up by the very next unknown kid.
        SUPABASE_JWKS_COOLDOWN_SECONDS: '0',
      },
    })
  })
  afterAll(async () => {
    await h?.close()
    await jwks?.close()
  })

  it('should accept ES256 and RS256 tokens and create each user once, fetching the JWKS once', async () => {
    for (const key of [es1, rs1]) {
      const sub = crypto.randomUUID()
      const token = await jwks.sign(key, { sub, email: `${key.kid}@Example.org` })
      expect((await notes(token)).status).toBe(200)
      expect((await notes(token)).status).toBe(200)
      const rows = await h.db.query<{ email: string; source: string }>(
        'SELECT email, source FROM users WHERE id = $1',
        [sub]
      )
      expect(rows).toEqual([{ email: `${key.kid}@example.org`, source: 'supabase' }])
    }
    expect(jwks.state.fetches).toBe(1)
  })

  it('should still accept legacy HS256 tokens signed with SUPABASE_JWT_SECRET', async () => {
    expect((await notes(await legacy(crypto.randomUUID()))).status).toBe(200)
    const err = await expectError(
      await notes(await legacy(crypto.randomUUID(), `${SECRET}-other`)),
      401,
      'UNAUTHORIZED'
    )
    expect(err.message).toMatch(/not valid/)
  })

  it('should refuse a token naming a kid the project does not publish with 401 JSON', async () => {
    const stranger = await makeSigningKey('unknown-kid', 'ES256')
    const err = await expectError(
      await notes(await jwks.sign(stranger, { sub: crypto.randomUUID() })),
      401,
      'UNAUTHORIZED'
    )
    expect(err.message).toMatch(/current keys/)
  })

  it('should refuse a token signed by another key under a published kid with 401', async () => {
    const forger = await makeSigningKey('es-1', 'ES256')
    await expectError(
      await notes(await jwks.sign(forger, { sub: crypto.randomUUID() })),
      401,
      'UNAUTHORIZED'
    )
  })

  it('should refuse the wrong issuer, the wrong audience and an expired token with 401', async () => {
    const sub = crypto.randomUUID()
    const past = Math.floor(Date.now() / 1000) - 120
    const bad = [
      await jwks.sign(es1, { sub }, { iss: 'https://other.supabase.co/auth/v1' }),
      await jwks.sign(es1, { sub }, { iss: jwks.url }),
      await jwks.sign(es1, { sub }, { aud: 'anon' }),
      await jwks.sign(es1, { sub }, { exp: past }),
    ]
    const messages = []
    for (const token of bad)
      messages.push((await expectError(await notes(token), 401, 'UNAUTHORIZED')).message)
    expect(messages.at(-1)).toMatch(/expired/)
    expect(await h.db.query('SELECT 1 FROM users WHERE id = $1', [sub])).toEqual([])
  })

  it('should allow a few seconds of clock skew on expiry', async () => {
    const justExpired = Math.floor(Date.now() / 1000) - 5
    const token = await jwks.sign(rs1, { sub: crypto.randomUUID() }, { exp: justExpired })
    expect((await notes(token)).status).toBe(200)
  })

  it('should follow a key rotation: the new kid is fetched, the removed kid is then refused', async () => {
    const es2 = await makeSigningKey('es-2', 'ES256')
    const sub = crypto.randomUUID()
    const oldToken = await jwks.sign(es1, { sub })
    expect((await notes(oldToken)).status).toBe(200)

    jwks.state.keys = [es2, rs1]
    const before = jwks.state.fetches
    expect((await notes(await jwks.sign(es2, { sub }))).status).toBe(200)
    expect(jwks.state.fetches).toBe(before + 1)
    const err = await expectError(await notes(oldToken), 401, 'UNAUTHORIZED')
    expect(err.message).toMatch(/current keys/)
  })

  it('should answer 503 JSON, not 401, while the JWKS cannot be fetched', async () => {
    const fresh = await makeSigningKey('es-3', 'ES256')
    jwks.state.failing = true
    try {
      const err = await expectError(
        await notes(await jwks.sign(fresh, { sub: crypto.randomUUID() })),
        503,
        'UNAVAILABLE'
      )
      expect(err.message).toMatch(/unreachable/)
    } finally {
      jwks.state.failing = false
    }
    // Keys already cached keep working through the outage and after it.
    expect((await notes(await jwks.sign(rs1, { sub: crypto.randomUUID() }))).status).toBe(200)
  })
})

describe('auth: Supabase token service', () => {
  let jwks: JwksServer
  let key: SigningKey
  beforeAll(async () => {
    key = await makeSigningKey('es-1', 'ES256')
    jwks = await startJwksServer([key])
  })
  afterAll(() => jwks?.close())

  it('should refetch for unknown kids at most once per cooldown', async () => {
    jwks.state.fetches = 0
    const tokens = createSupabaseTokens({
      url: jwks.url,
      jwks: { cooldownMs: 60_000 },
      now: Date.now,
    })
    await tokens.verify(await jwks.sign(key, { sub: crypto.randomUUID() }))
    for (let i = 0; i < 5; i++) {
      const stranger = await makeSigningKey(`random-${i}`, 'ES256')
      await expect(
        tokens.verify(await jwks.sign(stranger, { sub: crypto.randomUUID() }))
      ).rejects.toBeInstanceOf(InvalidTokenError)
    }
    expect(jwks.state.fetches).toBe(1)
  })

  it('should refuse HS256 tokens when no legacy secret is configured', async () => {
    const tokens = createSupabaseTokens({ url: jwks.url, now: Date.now })
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(crypto.randomUUID())
      .setIssuer(`${jwks.url}/auth/v1`)
      .setAudience('authenticated')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET))
    await expect(tokens.verify(token)).rejects.toThrow(/SUPABASE_JWT_SECRET is not set/)
  })

  it('should report an unreachable project as keys unavailable', async () => {
    const tokens = createSupabaseTokens({ url: 'http://127.0.0.1:9', now: Date.now })
    await expect(
      tokens.verify(await jwks.sign(key, { sub: crypto.randomUUID() }))
    ).rejects.toBeInstanceOf(SigningKeysUnavailableError)
  })
})

// PGlite runs one query at a time, so the race is only real on a PostgreSQL server.
describe('auth: Supabase users on PostgreSQL', { timeout: 60_000 }, () => {
  let pg: StartedPostgres
  let jwks: JwksServer
  let h: Harness
  let key: SigningKey
  beforeAll(async () => {
    key = await makeSigningKey('es-1', 'ES256')
    ;[pg, jwks] = await Promise.all([startPostgres(), startJwksServer([key])])
    h = await createHarness({
      stt: 'none',
      databaseUrl: pg.url,
      env: { SUPABASE_URL: jwks.url },
    })
  }, 60_000)
  afterAll(async () => {
    await h?.close()
    await jwks?.close()
    await pg?.stop()
  })

  it('should create exactly one user row when a new user sends many first requests at once', async () => {
    const sub = crypto.randomUUID()
    const token = await jwks.sign(key, { sub, email: 'racer@example.org' })
    const statuses = await Promise.all(
      Array.from({ length: 16 }, () =>
        h
          .request('/api/notes', { headers: { authorization: `Bearer ${token}` } })
          .then((r) => r.status)
      )
    )
    expect(statuses).toEqual(Array.from({ length: 16 }, () => 200))
    const rows = await h.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [
      'racer@example.org',
    ])
    expect(rows).toEqual([{ id: sub }])
  })
})
