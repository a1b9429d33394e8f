import type { Hono } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { storesOf } from '../store/stores.ts'
import { dummyPasswordHash, verifyPassword } from '../auth/passwords.ts'
import { validate } from '../http/validation.ts'
import { LoginRequestSchema } from '../contract/auth.ts'
import type { LoginResponse } from '../contract/auth.ts'

export function registerAuthRoutes(app: Hono<AppEnv>, deps: AppDeps) {
  if (deps.config.SUPABASE_URL) {
    // Whatever the body: there is no local account to check it against.
    app.post('/api/auth/login', () => {
      throw new ApiError({
        code: 'NOT_FOUND',
        message: 'local sign-in is off: this server uses Supabase Auth',
      })
    })
    return
  }
  const { users } = storesOf(deps.db)
  app.post('/api/auth/login', validate('json', LoginRequestSchema), async (c) => {
    const { email, password } = c.req.valid('json')
    const user = await users.byEmail(email)
    const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()))
    if (!user || !user.password_hash || !ok) {
      deps.logger.info('sign-in refused', { request_id: c.get('requestId') })
      throw new ApiError({ code: 'UNAUTHORIZED', message: 'wrong email or password' })
    }
    const { token, expiresIn } = await deps.tokens.issue(user)
    return c.json({
      access_token: token,
      token_type: 'Bearer',
      expires_in: expiresIn,
    } satisfies LoginResponse)
  })
}
