import type { Context } from 'hono'

// What @hono/node-server passes in `c.env`: the IncomingMessage. Read through these helpers, the
// hot paths skip what the web-standard Request would build first (a Headers object of every
// request header; a web stream around the body). Elsewhere (Deno, app.request) `incoming` is
// absent and they fall back to the Request. No node:* import: this is duck typing.
type Incoming = { headers: Record<string, string | string[] | undefined> }

function incomingOf(c: Context): unknown {
  const env: unknown = c.env
  return env && typeof env === 'object' && 'incoming' in env ? env.incoming : undefined
}

/** One request header (`name` in lower case), without building the whole Headers on Node. */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = incomingOf(c) as Incoming | undefined
  if (incoming && typeof incoming.headers === 'object') {
    const v = incoming.headers[name]
    return Array.isArray(v) ? v.join(', ') : v
  }
  return c.req.header(name)
}

/**
 * The runtime's own body stream when there is one, for the Node multipart adapter (which checks
 * that it is a stream nobody has read yet); otherwise undefined and request.body is read.
 */
export function runtimeBody(c: Context): unknown {
  return incomingOf(c)
}
