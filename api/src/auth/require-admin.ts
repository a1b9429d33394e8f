import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../deps.ts'
import { ApiError } from '../errors.ts'
import type { UserStore } from '../store/users.ts'

/**
 * After requireAuth: only admins pass. The role is read from the users row on every request,
 * never from the token, so `make user ARGS="revoke-admin EMAIL"` takes effect at once (and a
 * Supabase user's role is ours to give, not the identity provider's).
 */
export const requireAdmin = ({ users }: { users: UserStore }): MiddlewareHandler<AppEnv> =>
  async function requireAdmin(c, next) {
    const role = await users.roleOf(c.get('principal').userId)
    if (role !== 'admin')
      throw new ApiError({
        code: 'FORBIDDEN',
        message:
          'admins only: an admin can grant the role with make user-stack ARGS="grant-admin EMAIL"',
      })
    await next()
  }
