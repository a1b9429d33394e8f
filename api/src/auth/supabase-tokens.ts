import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose'
import type { JWTPayload, JWTVerifyGetKey } from 'jose'
import type { TokenService } from './tokens.ts'
import { InvalidTokenError, SigningKeysUnavailableError, explain } from './tokens.ts'

export type SupabaseTokenOptions = {
  /** The project URL, e.g. https://abcd.supabase.co */
  url: string
  /** The legacy HS256 shared secret; without it only the project's signing keys are trusted. */
  jwtSecret?: string
  jwks?: { cacheMaxAgeMs?: number; cooldownMs?: number; timeoutMs?: number }
  clockToleranceSeconds?: number
  now: () => number
}

// Supabase's asymmetric signing keys are ECC P-256 (ES256) or RSA (RS256).
const ASYMMETRIC = ['ES256', 'RS256']
// The subject becomes a uuid column: anything PostgreSQL would not parse is refused here.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const supabaseIssuer = (url: string) => `${url.replace(/\/+$/, '')}/auth/v1`
export const supabaseJwksUrl = (url: string) =>
  new URL(`${supabaseIssuer(url)}/.well-known/jwks.json`)

/**
 * Supabase Auth tokens: ES256/RS256 checked against the project's published JWKS (fetched once,
 * cached, refetched when a token names a kid not yet seen, at most once per cooldown, so a
 * rotation is picked up and random kids cannot hammer Supabase), or HS256 with the legacy secret.
 * The header's alg picks the key source, so an HS256 token is never checked against a public key.
 */
export function createSupabaseTokens(opts: SupabaseTokenOptions): TokenService {
  const issuer = supabaseIssuer(opts.url)
  const secret = opts.jwtSecret ? new TextEncoder().encode(opts.jwtSecret) : undefined
  const remote = createRemoteJWKSet(supabaseJwksUrl(opts.url), {
    cacheMaxAge: opts.jwks?.cacheMaxAgeMs,
    cooldownDuration: opts.jwks?.cooldownMs,
    timeoutDuration: opts.jwks?.timeoutMs ?? 5000,
  })
  const fromJwks: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remote(header, token)
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
        throw new InvalidTokenError('the token was not signed by one of the project’s current keys')
      throw new SigningKeysUnavailableError(
        `cannot fetch Supabase signing keys from ${supabaseJwksUrl(opts.url).href}: ${String(err)}`
      )
    }
  }

  async function check(token: string): Promise<JWTPayload> {
    const claims = {
      issuer,
      audience: 'authenticated',
      clockTolerance: opts.clockToleranceSeconds ?? 30,
      currentDate: new Date(opts.now()),
    }
    let alg: string | undefined
    try {
      alg = decodeProtectedHeader(token).alg
    } catch {
      throw new InvalidTokenError('the token is not valid')
    }
    if (alg === 'HS256') {
      if (!secret)
        throw new InvalidTokenError(
          'shared-secret (HS256) tokens are not accepted here: SUPABASE_JWT_SECRET is not set'
        )
      return (await jwtVerify(token, secret, { ...claims, algorithms: ['HS256'] })).payload
    }
    return (await jwtVerify(token, fromJwks, { ...claims, algorithms: ASYMMETRIC })).payload
  }

  return {
    issue() {
      return Promise.reject(new Error('tokens are issued by Supabase Auth in this mode'))
    },
    async verify(token) {
      let payload: JWTPayload
      try {
        payload = await check(token)
      } catch (err) {
        if (err instanceof InvalidTokenError || err instanceof SigningKeysUnavailableError)
          throw err
        throw new InvalidTokenError(explain(err))
      }
      const sub = payload.sub
      if (!sub || !UUID.test(sub)) throw new InvalidTokenError('the token is not valid: subject')
      return {
        userId: sub.toLowerCase(),
        email: String(payload.email || `${sub}@supabase.invalid`),
        source: 'supabase',
      }
    },
  }
}
