// A TCP proxy in front of the edge that flips one byte in some of the chunks it forwards, both
// ways: packet corruption that gets past TCP's checksum, which TLS then catches (a bad record
// MAC ends the connection). What a client must survive is the same as with `tc netem corrupt`:
// connections that fail mid-request or mid-answer, which it retries with the same key.
import { randomInt } from 'node:crypto'
import { createConnection, createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { Transform } from 'node:stream'

export type CorruptingProxy = {
  port: number
  stats: { connections: number; chunks: number; corrupted: number }
  close: () => Promise<void>
}

export async function startCorruptingProxy(
  targetPort: number,
  probability: number
): Promise<CorruptingProxy> {
  const stats = { connections: 0, chunks: 0, corrupted: 0 }
  const sockets = new Set<Socket>()
  const corrupt = () =>
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        stats.chunks++
        if (chunk.byteLength > 0 && Math.random() < probability) {
          const copy = Buffer.from(chunk)
          copy[randomInt(copy.byteLength)]! ^= 1 << randomInt(8)
          stats.corrupted++
          return done(null, copy)
        }
        done(null, chunk)
      },
    })
  const server = createServer((client) => {
    stats.connections++
    const edge = createConnection({ host: '127.0.0.1', port: targetPort })
    for (const s of [client, edge]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => (client.destroy(), edge.destroy()))
    }
    client.pipe(corrupt()).pipe(edge)
    edge.pipe(corrupt()).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    stats,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
