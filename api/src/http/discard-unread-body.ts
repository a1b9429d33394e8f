import type { MiddlewareHandler } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'
import { runtimeBody } from './runtime-request.ts'

// Past the upload limit, what else a form may carry (its other parts and boundaries).
const SLACK_BYTES = 1024 * 1024

/**
 * For the upload routes: an answer given without reading the body (a 401 for an expired token, a
 * 400 header, a replayed 202, a refusal by declared size) waits until the rest of the body is
 * read and thrown away, up to the upload limit. Sent at once, it would be lost behind the edge,
 * which is still streaming the body (proxy_request_buffering off): the API closes, nginx hits a
 * broken pipe and the client gets the edge's 503 instead of the real answer.
 */
export function discardUnreadBody(deps: Pick<AppDeps, 'config' | 'multipart'>) {
  const maxBytes = deps.config.MAX_UPLOAD_BYTES + SLACK_BYTES
  const handler: MiddlewareHandler<AppEnv> = async (c, next) => {
    await next()
    if (c.req.method !== 'POST') return
    // A body declared larger than the bound would only be read to be cut anyway.
    if (Number(c.req.header('content-length') ?? 0) > maxBytes) return
    await deps.multipart.discard(c.req.raw, maxBytes, runtimeBody(c))
  }
  return handler
}
