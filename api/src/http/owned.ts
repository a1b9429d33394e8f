import type { Context } from 'hono'
import type { AppEnv } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { isUuid } from '../lib/ids.ts'

/**
 * The row the path's `:id` names, found with `find` for the signed-in user; a malformed id,
 * or a row that is missing or someone else's, is a 404 `no such <what>`.
 */
export async function ownedById<T>(
  c: Context<AppEnv>,
  what: string,
  find: (userId: string, id: string) => Promise<T | undefined>
): Promise<T> {
  const id = c.req.param('id') ?? ''
  const row = isUuid(id) ? await find(c.get('principal').userId, id) : undefined
  if (!row) throw new ApiError({ code: 'NOT_FOUND', message: `no such ${what}` })
  return row
}
