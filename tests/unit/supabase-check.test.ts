import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { SignJWT } from 'jose'
import { makeSigningKey } from '../support/jwks-server.ts'
import type { SigningKey } from '../support/jwks-server.ts'
import { usePostgresBehindPgBouncer } from '../support/pgbouncer.ts'
import { checkDatabase, checkJwks, checkSignIn } from '../../ops/lib/supabase-project.ts'
import type { SupabaseProject } from '../../ops/lib/supabase-project.ts'

const run = promisify(execFile)
const URL_ = 'https://abcd.supabase.co'
const ANON = 'sb_publishable_test_anon_key'
const EMAIL = 'check@example.org'
const PASSWORD = 'correct-horse'
const SECRET = 'legacy-supabase-jwt-secret-legacy-secret-0042'

// A fake of the Supabase Auth endpoints the check calls, answering as GoTrue does: the JWKS,
// and the password grant with its real error bodies (invalid key, invalid credentials).
function supabaseAuth(opts: { keys: () => unknown[]; signWith: () => Promise<string> }) {
  return [
    http.get(`${URL_}/auth/v1/.well-known/jwks.json`, () =>
      HttpResponse.json({ keys: opts.keys() })
    ),
    http.post(`${URL_}/auth/v1/token`, async ({ request }) => {
      if (new URL(request.url).searchParams.get('grant_type') !== 'password')
        return HttpResponse.json(
          { code: 400, error_code: 'validation_failed', msg: 'Unsupported grant type' },
          { status: 400 }
        )
      if (request.headers.get('apikey') !== ANON)
        return HttpResponse.json(
          {
            message: 'Invalid API key',
            hint: 'Double check your Supabase `anon` or `service_role` API key.',
          },
          { status: 401 }
        )
      const body = (await request.json()) as { email?: string; password?: string }
      if (body.email !== EMAIL || body.password !== PASSWORD)
        return HttpResponse.json(
          { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' },
          { status: 400 }
        )
      return HttpResponse.json({
        access_token: await opts.signWith(),
        token_type: 'bearer',
        expires_in: 3600,
        expires_at: Math.floor(Date.now() / 1000) + 3600,
        refresh_token: 'v1-refresh-token',
        user: { id: SUB, aud: 'authenticated', role: 'authenticated', email: EMAIL },
      })
    }),
  ]
}

const SUB = crypto.randomUUID()
const accessToken = (key: SigningKey) =>
  new SignJWT({ email: EMAIL, role: 'authenticated', aal: 'aal1', session_id: 'sess' })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(SUB)
    .setIssuer(`${URL_}/auth/v1`)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key.privateKey)

describe('supabase-check: Auth', () => {
  const server = setupServer()
  let key: SigningKey
  const project: SupabaseProject = {
    url: URL_,
    anonKey: ANON,
    testEmail: EMAIL,
    testPassword: PASSWORD,
    timeoutMs: 2000,
  }
  beforeAll(async () => {
    key = await makeSigningKey('es-live', 'ES256')
    server.listen({ onUnhandledRequest: 'error' })
  })
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())

  const serve = (keys: () => unknown[], signWith = () => accessToken(key)) =>
    server.use(...supabaseAuth({ keys, signWith }))

  it('should list the published keys', async () => {
    serve(() => [key.jwk])
    expect(await checkJwks(project)).toBe('es-live ES256')
  })

  it('should stop on a JWKS that is missing or not a key set', async () => {
    server.use(
      http.get(`${URL_}/auth/v1/.well-known/jwks.json`, () =>
        HttpResponse.json({ message: 'no Route matched with those values' }, { status: 404 })
      )
    )
    await expect(checkJwks(project)).rejects.toThrow(/JWKS answered 404/)
    server.use(http.get(`${URL_}/auth/v1/.well-known/jwks.json`, () => HttpResponse.text('<html>')))
    await expect(checkJwks(project)).rejects.toThrow(/not a key set/)
  })

  it('should stop on a published key that does not import', async () => {
    serve(() => [{ ...key.jwk, x: 'AAAA' }])
    await expect(checkJwks(project)).rejects.toThrow(/es-live in the JWKS does not import/)
  })

  it('should need the legacy secret when the project publishes no keys', async () => {
    serve(() => [])
    await expect(checkJwks(project)).rejects.toMatchObject({
      message: /no signing keys and SUPABASE_JWT_SECRET is not set/,
      hint: /JWT Keys/,
    })
    expect(await checkJwks({ ...project, jwtSecret: SECRET })).toMatch(/legacy SUPABASE_JWT_SECRET/)
  })

  it('should sign in and check the token with the API’s own code', async () => {
    serve(() => [key.jwk])
    expect(await checkSignIn(project)).toBe(`signed in as ${EMAIL}; the API accepts the token`)
  })

  it('should pass on Supabase Auth’s message for wrong credentials and a wrong anon key', async () => {
    serve(() => [key.jwk])
    await expect(checkSignIn({ ...project, testPassword: 'nope' })).rejects.toThrow(
      'sign-in answered 400: Invalid login credentials (invalid_credentials)'
    )
    await expect(checkSignIn({ ...project, anonKey: 'wrong' })).rejects.toMatchObject({
      message: 'sign-in answered 401: Invalid API key',
      hint: /not this project’s key/,
    })
  })

  it('should report a token the API would refuse', async () => {
    const other = await makeSigningKey('es-other', 'ES256')
    serve(
      () => [key.jwk],
      () => accessToken(other)
    )
    await expect(checkSignIn(project)).rejects.toThrow(/API would refuse.*current keys/)
    // A project still on the legacy secret, checked without it.
    serve(
      () => [],
      () =>
        new SignJWT({ email: EMAIL })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(SUB)
          .setIssuer(`${URL_}/auth/v1`)
          .setAudience('authenticated')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(SECRET))
    )
    await expect(checkSignIn(project)).rejects.toThrow(/SUPABASE_JWT_SECRET is not set/)
    expect(await checkSignIn({ ...project, jwtSecret: SECRET })).toMatch(/accepts the token/)
  })
})

describe('supabase-check: database', { timeout: 60_000 }, () => {
  const servers = usePostgresBehindPgBouncer()

  it('should pass a direct connection and a session pooler', async () => {
    for (const databaseUrl of [servers.url, servers.bouncer.sessionUrl])
      expect(await checkDatabase({ url: URL_, databaseUrl })).toMatch(/LISTEN\/NOTIFY/)
  })

  it('should refuse a transaction pooler, by URL or by probe, naming port 5432', async () => {
    for (const databaseUrl of [
      'postgres://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres',
      servers.bouncer.transactionUrl,
    ]) {
      await expect(checkDatabase({ url: URL_, databaseUrl })).rejects.toMatchObject({
        message: /not a session connection/,
        hint: /port 5432, not 6543/,
      })
    }
  })

  it('should say when the database cannot be reached', async () => {
    const databaseUrl = servers.url.replace(/:\d+\//, ':1/')
    await expect(checkDatabase({ url: URL_, databaseUrl })).rejects.toThrow(
      /cannot connect to the database/
    )
  })
})

describe('supabase-check: the script', () => {
  it('should print its usage with --help and stop in one line without SUPABASE_URL', async () => {
    const script = ['tsx', 'ops/supabase-check.ts']
    const help = await run('npx', [...script, '--help'], { timeout: 30_000 })
    expect(help.stdout).toMatch(/^Usage: make supabase-check/)
    const env = { ...process.env, SUPABASE_URL: '' }
    const err = (await run('npx', script, { env, timeout: 30_000 }).then(
      () => undefined,
      (e: unknown) => e
    )) as { code: number; stderr: string } | undefined
    expect(err?.code).toBe(1)
    expect(err?.stderr).toMatch(/^✗ SUPABASE_URL: required: the project URL/)
  })
})
