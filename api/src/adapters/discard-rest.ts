import type { Readable } from 'node:stream'

/**
 * Reads what is left of a request body and throws it away, up to `maxBytes` and `maxMs`; true
 * when the body ended. An answer sent before the body is read is lost behind a proxy: the server
 * closes the connection (@hono/node-server gives an unread body 500 ms), nginx, still sending,
 * hits a broken pipe and answers its own 502/503 instead of ours. Past either bound the body is
 * destroyed (the connection closes): a sender that keeps going gets no more of our time.
 */
export function discardRest(source: Readable, maxBytes: number, maxMs: number): Promise<boolean> {
  if (source.readableEnded) return Promise.resolve(true)
  if (source.destroyed) return Promise.resolve(false)
  return new Promise((resolve) => {
    let read = 0
    const done = (ended: boolean) => {
      clearTimeout(timer)
      source.off('data', onData)
      source.off('end', onEnd)
      source.off('error', onError)
      if (!ended) source.destroy()
      resolve(ended)
    }
    const onData = (chunk: Uint8Array) => {
      read += chunk.byteLength
      if (read > maxBytes) done(false)
    }
    const onEnd = () => done(true)
    const onError = () => done(false)
    const timer = setTimeout(() => done(false), maxMs)
    source.on('data', onData)
    source.once('end', onEnd)
    source.once('error', onError)
    source.resume()
  })
}
