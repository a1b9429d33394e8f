// A CONNECT proxy between the browser and the stack that can slow the uplink and cut every
// connection at once: a dropped network in the middle of an upload, with bytes really on the
// wire (DevTools' own throttling only delays what the page is told, not what the server gets).
import { createServer, connect as tcpConnect } from 'node:net'
import type { Socket } from 'node:net'

export type NetworkProxy = {
  port: number
  /** Bytes per second from the browser to the server; null for full speed. */
  uplink: number | null
  /** While true, new connections are refused too: no network at all. */
  down: boolean
  /** Destroys every open connection, as a network drop does. */
  drop: () => void
  close: () => Promise<void>
}

export async function startNetworkProxy(): Promise<NetworkProxy> {
  const sockets = new Set<Socket>()
  const track = (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => s.destroy())
  }
  const proxy: NetworkProxy = {
    port: 0,
    uplink: null,
    down: false,
    drop: () => sockets.forEach((s) => s.destroy()),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }

  const server = createServer((client) => {
    if (proxy.down) return void client.destroy()
    track(client)
    client.once('data', (head) => {
      const m = /^CONNECT ([^:\s]+):(\d+) HTTP/.exec(head.toString('latin1'))
      if (!m) return client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n')
      const upstream = tcpConnect(Number(m[2]), m[1]!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.pipe(client)
        client.on('data', (chunk: Buffer) => {
          upstream.write(chunk)
          if (proxy.uplink === null) return
          // Stop reading until this chunk's share of the uplink has passed.
          client.pause()
          setTimeout(() => client.resume(), (chunk.length / proxy.uplink) * 1000)
        })
      })
      track(upstream)
      upstream.on('close', () => client.destroy())
      client.on('close', () => upstream.destroy())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.port = (server.address() as { port: number }).port
  return proxy
}
