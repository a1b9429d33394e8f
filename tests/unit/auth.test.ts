import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT, UnsecuredJWT } from 'jose'
import { createHarness, PASSWORD } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { createLocalTokens } from '../../api/src/auth/tokens.ts'
import { hashPassword, verifyPassword } from '../../api/src/auth/passwords.ts'

type ErrorBody = { error: { code: string; message: string; request_id?: string } }
type LoginBody = { access_token: string; token_type: string; expires_in: number }

const encoder = new TextEncoder()

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body = (await res.json()) as ErrorBody
  expect(body.error.code).toBe(code)
  expect(body.error.request_id).toBe(res.headers.get('x-request-id'))
  return body.error
}

describe('auth: local accounts', () => {
  let h: Harness
  let doc: Awaited<ReturnType<Harness['addUser']>>

  const login = (body: string, headers: Record<string, string> = {}) =>
    h.request('/api/auth/login', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    })
  const notes = (headers: Record<string, string> = {}) => h.request('/api/notes', { headers })

  beforeAll(async () => {
    h = await createHarness({ stt: 'none' })
    doc = await h.addUser('login@example.org')
  })
  afterAll(() => h.close())

  it('should sign in with the right password and issue a token that opens /api/notes', async () => {
    const res = await login(JSON.stringify({ email: doc.email, password: PASSWORD }))
    expect(res.status).toBe(200)
    const body = (await res.json()) as LoginBody
    expect(body.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(body.token_type).toBe('Bearer')
    expect(body.expires_in).toBe(h.config.JWT_TTL_SECONDS)

    const list = await notes({ authorization: `Bearer ${body.access_token}` })
    expect(list.status).toBe(200)
    expect(await list.json()).toEqual({ items: [], next_cursor: null })
  })

  it('should match the email without regard to case', async () => {
    const res = await login(JSON.stringify({ email: 'LOGIN@Example.org', password: PASSWORD }))
    expect(res.status).toBe(200)
  })

  it('should refuse a wrong password and an unknown email with 401 and the same message', async () => {
    const wrong = await expectError(
      await login(JSON.stringify({ email: doc.email, password: `${PASSWORD}!` })),
      401,
      'UNAUTHORIZED'
    )
    const unknown = await expectError(
      await login(JSON.stringify({ email: 'nobody@example.org', password: PASSWORD })),
      401,
      'UNAUTHORIZED'
    )
    expect(wrong.message).toBe('wrong email or password')
    expect(unknown.message).toBe(wrong.message)
  })

  it.each([
    ['malformed JSON', '{"email": "login@example.org", "password": '],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['a missing password', JSON.stringify({ email: 'login@example.org' })],
    ['a missing email', JSON.stringify({ password: PASSWORD })],
    ['an empty password', JSON.stringify({ email: 'login@example.org', password: '' })],
    ['an email that is not one', JSON.stringify({ email: 'login', password: PASSWORD })],
    [
      'a password that is not a string',
      JSON.stringify({ email: 'login@example.org', password: 1 }),
    ],
  ])('should refuse %s with 400', async (_label, body) => {
    await expectError(await login(body), 400, 'BAD_REQUEST')
  })

  it('should refuse /api/notes without a token with 401', async () => {
    const err = await expectError(await notes(), 401, 'UNAUTHORIZED')
    expect(err.message).toMatch(/bearer token/)
    await expectError(await notes({ authorization: 'Basic dXNlcjpwYXNz' }), 401, 'UNAUTHORIZED')
    await expectError(await notes({ authorization: 'Bearer' }), 401, 'UNAUTHORIZED')
  })

  it('should refuse a token whose exp has passed with 401 saying it expired', async () => {
    const past = createLocalTokens(h.config.JWT_SECRET!, 60, () => Date.now() - 3600_000)
    const { token } = await past.issue({ id: doc.id, email: doc.email })
    const err = await expectError(
      await notes({ authorization: `Bearer ${token}` }),
      401,
      'UNAUTHORIZED'
    )
    expect(err.message).toMatch(/expired/)
  })

  it('should refuse forged tokens with 401 without saying they expired', async () => {
    const other = createLocalTokens('not-the-server-secret-0123456789abcdef', 3600, Date.now)
    const forged = (await other.issue({ id: doc.id, email: doc.email })).token
    const none = new UnsecuredJWT({ email: doc.email })
      .setSubject(doc.id)
      .setIssuer('medic-scribe')
      .setAudience('medic-scribe-api')
      .setExpirationTime('1h')
      .encode()
    const noSubject = await new SignJWT({ email: doc.email })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('medic-scribe')
      .setAudience('medic-scribe-api')
      .setExpirationTime('1h')
      .sign(encoder.encode(h.config.JWT_SECRET!))
    for (const token of [forged, none, noSubject, 'not.a.jwt', `${doc.token}x`]) {
      const err = await expectError(
        await notes({ authorization: `Bearer ${token}` }),
        401,
        'UNAUTHORIZED'
      )
      expect(err.message).not.toMatch(/expired/)
    }
  })
})

describe('auth: Supabase mode', () => {
  const SUPABASE_URL = 'https://proj.supabase.co'
  const SECRET = 'supabase-jwt-secret-supabase-jwt-secret-42'
  let h: Harness

  const sign = (
    claims: { sub: string; email?: string },
    opts: { secret?: string; iss?: string; aud?: string; exp?: number | string } = {}
  ) =>
    new SignJWT({ email: claims.email, role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(opts.iss ?? `${SUPABASE_URL}/auth/v1`)
      .setAudience(opts.aud ?? 'authenticated')
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '1h')
      .sign(encoder.encode(opts.secret ?? SECRET))

  const notes = (token: string) =>
    h.request('/api/notes', { headers: { authorization: `Bearer ${token}` } })

  beforeAll(async () => {
    h = await createHarness({
      stt: 'none',
      env: { SUPABASE_URL, SUPABASE_JWT_SECRET: SECRET },
    })
  })
  afterAll(() => h.close())

  it('should accept a token from the Supabase project and create its user', async () => {
    const sub = crypto.randomUUID()
    const res = await notes(await sign({ sub, email: 'Supa@Example.org' }))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ items: [], next_cursor: null })
    const rows = await h.db.query<{ email: string; source: string; password_hash: string | null }>(
      'SELECT email, source, password_hash FROM users WHERE id = $1',
      [sub]
    )
    expect(rows).toEqual([{ email: 'supa@example.org', source: 'supabase', password_hash: null }])

    // A second request with the same subject reuses the user.
    expect((await notes(await sign({ sub, email: 'supa@example.org' }))).status).toBe(200)
    const [count] = await h.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM users WHERE id = $1',
      [sub]
    )
    expect(count?.n).toBe(1)
  })

  it('should refuse Supabase-shaped tokens that are wrongly signed, addressed or expired with 401', async () => {
    const sub = crypto.randomUUID()
    const bad = [
      await sign({ sub }, { secret: 'another-project-secret-another-project-1' }),
      await sign({ sub }, { iss: 'https://other.supabase.co/auth/v1' }),
      await sign({ sub }, { aud: 'anon' }),
      await sign({ sub }, { exp: Math.floor(Date.now() / 1000) - 60 }),
      await sign({ sub: 'not-a-uuid' }),
    ]
    for (const token of bad) await expectError(await notes(token), 401, 'UNAUTHORIZED')
    const rows = await h.db.query('SELECT 1 FROM users WHERE id = $1', [sub])
    expect(rows).toEqual([])
  })

  it('should refuse a subject that only looks like a uuid with 401, not 500', async () => {
    const err = await expectError(
      await notes(await sign({ sub: '-'.repeat(36), email: 'dashes@example.org' })),
      401,
      'UNAUTHORIZED'
    )
    expect(err.message).toMatch(/not valid/)
    const rows = await h.db.query('SELECT 1 FROM users WHERE email = $1', ['dashes@example.org'])
    expect(rows).toEqual([])
  })

  it('should refuse, not crash on, a second subject with an email already taken', async () => {
    const first = crypto.randomUUID()
    expect((await notes(await sign({ sub: first, email: 'taken@example.org' }))).status).toBe(200)
    const second = crypto.randomUUID()
    const err = await expectError(
      await notes(await sign({ sub: second, email: 'taken@example.org' })),
      401,
      'UNAUTHORIZED'
    )
    expect(err.message).toMatch(/another account/)
    const rows = await h.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [
      'taken@example.org',
    ])
    expect(rows).toEqual([{ id: first }])
    // The first account keeps working.
    expect((await notes(await sign({ sub: first, email: 'taken@example.org' }))).status).toBe(200)
  })

  it('should refuse a token in the local format with 401', async () => {
    const local = createLocalTokens(SECRET, 3600, Date.now)
    const { token } = await local.issue({ id: crypto.randomUUID(), email: 'x@example.org' })
    await expectError(await notes(token), 401, 'UNAUTHORIZED')
  })

  it('should answer local sign-in with 404', async () => {
    const res = await h.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'doc@example.org', password: PASSWORD }),
    })
    const err = await expectError(res, 404, 'NOT_FOUND')
    expect(err.message).toMatch(/Supabase/)
  })
})

describe('auth: passwords', () => {
  it('should hash with argon2id in the encoded format and verify only the right password', async () => {
    const hash = await hashPassword('s3cret pass phrase')
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/)
    expect(await verifyPassword('s3cret pass phrase', hash)).toBe(true)
    expect(await verifyPassword('s3cret pass phrasE', hash)).toBe(false)
    expect(await verifyPassword('', hash)).toBe(false)
  })

  it('should salt each hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')])
    expect(a).not.toBe(b)
    expect(await verifyPassword('same', b!)).toBe(true)
  })

  it('should answer false, not throw, for a stored hash that is not argon2', async () => {
    expect(await verifyPassword('anything', 'not-a-hash')).toBe(false)
    expect(await verifyPassword('anything', '')).toBe(false)
  })
})
