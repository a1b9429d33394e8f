// Row ids in paths: every id the API hands out is a UUID, so anything else names nothing.
import type { Context } from 'hono'
import type { AppEnv } from '../deps.ts'
import { ApiError } from '../errors.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True when `id` is a UUID (any version, either case). */
export const isUuid = (id: string): boolean => UUID.test(id)

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
