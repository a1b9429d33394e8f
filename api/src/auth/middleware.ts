import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../deps.ts'
import type { Principal, TokenService } from './tokens.ts'
import { InvalidTokenError, SigningKeysUnavailableError } from './tokens.ts'
import type { createUserStore } from '../store/users.ts'
import { ApiError } from '../errors.ts'
import type { Logger } from '../lib/logger.ts'
import { requestHeader } from '../http/runtime-request.ts'

/**
 * Bearer tokens on every API route; browsers cannot set headers on a WebSocket, so `/ws` also
 * takes `?access_token=` (the edge does not log query strings).
 */
export const requireAuth = ({
  tokens,
  users,
  logger,
  allowQueryToken = false,
}: {
  tokens: TokenService
  users: ReturnType<typeof createUserStore>
  logger: Logger
  allowQueryToken?: boolean
}): MiddlewareHandler<AppEnv> =>
  async function requireAuth(c, next) {
    const header = requestHeader(c, 'authorization')
    let token = header?.match(/^Bearer\s+(\S+)$/i)?.[1]
    if (!token && allowQueryToken) token = c.req.query('access_token')
    if (!token)
      throw new ApiError({
        code: 'UNAUTHORIZED',
        message: 'sign in first: a bearer token is required',
      })
    try {
      const principal = await tokens.verify(token)
      if (principal.source === 'supabase') await ensureSupabaseUser(users, principal)
      c.set('principal', principal)
    } catch (err) {
      if (err instanceof InvalidTokenError)
        throw new ApiError({ code: 'UNAUTHORIZED', message: err.message })
      if (err instanceof SigningKeysUnavailableError) {
        // Not the caller's fault: a retry succeeds once Supabase Auth answers again.
        logger.warn('token keys unavailable', { error: err.message })
        throw new ApiError({
          code: 'UNAVAILABLE',
          message: 'cannot check the token right now: the sign-in service is unreachable',
        })
      }
      throw err
    }
    await next()
  }

/**
 * Creates the row for a Supabase user on first sight. An email already held by another account
 * (a local one, or a Supabase user deleted and re-created) is refused rather than linked.
 */
async function ensureSupabaseUser(users: ReturnType<typeof createUserStore>, p: Principal) {
  if (await users.byId(p.userId)) return
  // ON CONFLICT in the insert makes two first requests racing each other safe.
  if (!(await users.ensureExternal(p.userId, p.email))) {
    throw new ApiError({
      code: 'UNAUTHORIZED',
      message: 'this email belongs to another account on this server',
    })
  }
}
