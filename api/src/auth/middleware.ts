import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../deps.ts'
import type { TokenService } from './tokens.ts'
import { InvalidTokenError } from './tokens.ts'
import type { createUserStore } from '../store/users.ts'
import { ApiError } from '../errors.ts'

/**
 * Bearer tokens on every API route; browsers cannot set headers on a WebSocket, so `/ws` also
 * takes `?access_token=` (the edge does not log query strings).
 */
export const requireAuth = ({
  tokens,
  users,
  allowQueryToken = false,
}: {
  tokens: TokenService
  users: ReturnType<typeof createUserStore>
  allowQueryToken?: boolean
}): MiddlewareHandler<AppEnv> =>
  async function requireAuth(c, next) {
    const header = c.req.header('authorization')
    let token = header?.match(/^Bearer\s+(\S+)$/i)?.[1]
    if (!token && allowQueryToken) token = c.req.query('access_token')
    if (!token)
      throw new ApiError({
        code: 'UNAUTHORIZED',
        message: 'sign in first: a bearer token is required',
      })
    try {
      const principal = await tokens.verify(token)
      if (principal.source === 'supabase')
        await users.ensureExternal(principal.userId, principal.email)
      c.set('principal', principal)
    } catch (err) {
      if (err instanceof InvalidTokenError)
        throw new ApiError({ code: 'UNAUTHORIZED', message: err.message })
      throw err
    }
    await next()
  }
