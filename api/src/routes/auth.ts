import type { Hono } from 'hono'
import { z } from 'zod'
import type { AppDeps, AppEnv } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { createUserStore } from '../store/users.ts'
import { dummyPasswordHash, verifyPassword } from '../auth/passwords.ts'
import { parseJson } from '../lib/validate.ts'

export const LoginSchema = z.object({
  email: z.email().max(254),
  password: z.string().min(1).max(1024),
})
export type LoginResponse = { access_token: string; token_type: 'Bearer'; expires_in: number }

export function registerAuthRoutes(app: Hono<AppEnv>, deps: AppDeps) {
  const users = createUserStore(deps.db)
  app.post('/api/auth/login', async (c) => {
    if (deps.config.SUPABASE_URL) {
      throw new ApiError({
        code: 'NOT_FOUND',
        message: 'local sign-in is off: this server uses Supabase Auth',
      })
    }
    const { email, password } = await parseJson(c.req.raw, LoginSchema)
    const user = await users.byEmail(email)
    const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()))
    if (!user || !user.password_hash || !ok) {
      deps.logger.info('sign-in refused', { request_id: c.get('requestId') })
      throw new ApiError({ code: 'UNAUTHORIZED', message: 'wrong email or password' })
    }
    const { token, expiresIn } = await deps.tokens.issue(user)
    return c.json<LoginResponse>({
      access_token: token,
      token_type: 'Bearer',
      expires_in: expiresIn,
    })
  })
}
