import type { Context } from 'hono'
import type { AppEnv } from '../deps.ts'

/** Who and from where, for audit rows; the edge sets X-Forwarded-For/X-Real-IP. */
export function auditContext(c: Context<AppEnv>) {
  return {
    user_id: c.get('principal').userId,
    ip: c.req.header('x-real-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? null,
    user_agent: c.req.header('user-agent') ?? null,
    request_id: c.get('requestId'),
  }
}
