import { SignJWT, jwtVerify, errors } from 'jose'

export type Principal = { userId: string; email: string; source: 'local' | 'supabase' }

const ISSUER = 'medic-scribe'
const AUDIENCE = 'medic-scribe-api'

export interface TokenService {
  issue(user: { id: string; email: string }): Promise<{ token: string; expiresIn: number }>
  verify(token: string): Promise<Principal>
}

/** The token is refused: 401. */
export class InvalidTokenError extends Error {}
/** The keys to check the token with cannot be fetched (the identity provider is down): 503. */
export class SigningKeysUnavailableError extends Error {}

export const explain = (err: unknown) =>
  err instanceof errors.JWTExpired ? 'the token has expired' : 'the token is not valid'

/** Local accounts: HS256 tokens that this server signs. */
export function createLocalTokens(
  secret: string,
  ttlSeconds: number,
  now: () => number
): TokenService {
  const key = new TextEncoder().encode(secret)
  return {
    async issue(user) {
      const iat = Math.floor(now() / 1000)
      const token = await new SignJWT({ email: user.email })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(key)
      return { token, expiresIn: ttlSeconds }
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: new Date(now()),
        })
        if (!payload.sub) throw new InvalidTokenError('the token has no subject')
        return { userId: payload.sub, email: String(payload.email ?? ''), source: 'local' }
      } catch (err) {
        throw new InvalidTokenError(explain(err))
      }
    },
  }
}
