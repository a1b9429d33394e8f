// The checks behind `make supabase-check`: each answers, for a configured Supabase project, one
// question the API depends on, with a note on success and an Error (message + hint) otherwise.
import { importJWK } from 'jose'
import type { JWK } from 'jose'
import { createSupabaseTokens, supabaseJwksUrl } from '../../api/src/auth/supabase-tokens.ts'
import {
  probeSessionFeatures,
  transactionPoolerHint,
} from '../../api/src/adapters/postgres-session.ts'
import { StopError } from './errors.ts'

export type SupabaseProject = {
  url: string
  anonKey?: string
  jwtSecret?: string
  testEmail?: string
  testPassword?: string
  databaseUrl?: string
  timeoutMs?: number
}

const base = (url: string) => url.replace(/\/+$/, '')

async function getJson(url: string, init: RequestInit, timeoutMs: number) {
  let res: Response
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    const { cause } = err as { cause?: { code?: string; message?: string } }
    const timedOut = err instanceof Error && err.name === 'TimeoutError'
    const why = timedOut
      ? `no answer within ${timeoutMs} ms`
      : (cause?.code ?? cause?.message ?? String(err))
    throw new StopError(`${url}: ${why}`, 'check SUPABASE_URL and this machine’s network')
  }
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: res.status, body, text }
}

/** Supabase Auth's error bodies come in two shapes, old ({error_description}) and new ({msg}). */
function authMessage(body: unknown, text: string): string {
  const b = (body ?? {}) as Record<string, unknown>
  const msg = b.msg ?? b.error_description ?? b.message ?? b.error
  const code = b.error_code ?? (typeof b.error === 'string' && b.msg ? b.error : undefined)
  return msg ? `${String(msg)}${code ? ` (${String(code)})` : ''}` : text.slice(0, 120)
}

/** The JWKS is reachable, JSON, and every key in it imports; or the legacy secret is set. */
export async function checkJwks(p: SupabaseProject): Promise<string> {
  const url = supabaseJwksUrl(p.url).href
  const { status, body, text } = await getJson(url, {}, p.timeoutMs ?? 10_000)
  if (status !== 200)
    throw new StopError(
      `the JWKS answered ${status}: ${text.slice(0, 120)}`,
      'check SUPABASE_URL: it is the project URL, https://<ref>.supabase.co'
    )
  const keys = (body as { keys?: unknown } | undefined)?.keys
  if (!Array.isArray(keys))
    throw new StopError(`the JWKS is not a key set: ${text.slice(0, 120)}`, 'check SUPABASE_URL')
  for (const jwk of keys as JWK[]) {
    try {
      await importJWK(jwk, jwk.alg)
    } catch (err) {
      throw new StopError(
        `key ${jwk.kid ?? '(no kid)'} in the JWKS does not import: ${String(err)}`,
        'report it to Supabase; tokens signed with it will be refused'
      )
    }
  }
  if (keys.length === 0) {
    if (!p.jwtSecret)
      throw new StopError(
        'the project publishes no signing keys and SUPABASE_JWT_SECRET is not set',
        'set SUPABASE_JWT_SECRET (legacy secret), or create signing keys in Supabase: Project Settings → JWT Keys'
      )
    return 'no signing keys published: tokens are checked with the legacy SUPABASE_JWT_SECRET'
  }
  return (keys as JWK[]).map((k) => `${k.kid ?? '(no kid)'} ${k.alg ?? k.kty}`).join(', ')
}

/** A password sign-in through Supabase Auth, and its access token checked as the API will. */
export async function checkSignIn(p: SupabaseProject): Promise<string> {
  if (!p.anonKey)
    throw new StopError('SUPABASE_ANON_KEY is not set', 'copy it from Project Settings → API Keys')
  const url = `${base(p.url)}/auth/v1/token?grant_type=password`
  const { status, body, text } = await getJson(
    url,
    {
      method: 'POST',
      headers: { apikey: p.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ email: p.testEmail, password: p.testPassword }),
    },
    p.timeoutMs ?? 10_000
  )
  if (status !== 200) {
    const hint =
      status === 401
        ? 'SUPABASE_ANON_KEY is not this project’s key'
        : 'check SUPABASE_TEST_EMAIL/SUPABASE_TEST_PASSWORD and that the user is confirmed'
    throw new StopError(`sign-in answered ${status}: ${authMessage(body, text)}`, hint)
  }
  const token = (body as { access_token?: unknown }).access_token
  if (typeof token !== 'string')
    throw new StopError('sign-in answered without an access_token', 'check SUPABASE_URL')
  const tokens = createSupabaseTokens({ url: p.url, jwtSecret: p.jwtSecret, now: Date.now })
  try {
    const principal = await tokens.verify(token)
    return `signed in as ${principal.email}; the API accepts the token`
  } catch (err) {
    throw new StopError(
      `the API would refuse this project’s token: ${err instanceof Error ? err.message : String(err)}`,
      'HS256 tokens need SUPABASE_JWT_SECRET; others need the project’s JWKS to list their kid'
    )
  }
}

/** The database answers, through a connection that keeps a session (LISTEN/NOTIFY, locks). */
export async function checkDatabase(p: SupabaseProject): Promise<string> {
  const url = p.databaseUrl
  if (!url) throw new StopError('DATABASE_URL is not set', 'see RUNBOOK.md#supabase')
  const hint = transactionPoolerHint(url)
  const problem =
    hint ??
    (await probeSessionFeatures(url).catch((err: unknown) => {
      throw new StopError(
        `cannot connect to the database: ${err instanceof Error ? err.message : String(err)}`,
        'check DATABASE_URL (host, port, password, sslmode)'
      )
    }))
  if (problem)
    throw new StopError(
      `DATABASE_URL is not a session connection: ${problem}`,
      'use the direct connection or the session pooler on port 5432, not 6543; see RUNBOOK.md#supabase'
    )
  return 'reachable; LISTEN/NOTIFY and advisory locks hold across connections'
}
