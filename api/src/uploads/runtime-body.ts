import type { Context } from 'hono'

/**
 * The runtime's own request body stream, when the entry has one to give: @hono/node-server puts
 * the IncomingMessage in `c.env.incoming`. Only the Node multipart adapter uses it (it checks
 * that it is a stream nobody has read yet); elsewhere this is undefined and the web body is read.
 */
export function runtimeBody(c: Context): unknown {
  const env: unknown = c.env
  return env && typeof env === 'object' && 'incoming' in env ? env.incoming : undefined
}
