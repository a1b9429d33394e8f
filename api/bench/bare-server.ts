// The baselines for `npm run bench:api`: a bare node:http server answering
//   GET /health/live with the same JSON and about the same response headers as the API (Hono's
//     secureHeaders and a request id), so the comparison measures the framework and middleware;
//   GET /api/notes?limit=20 with the bytes the API answered (NOTES_BODY_FILE), checking only
//     that a bearer token is present: the floor for an authenticated read;
//   a `ws` server on /ws, which sends what is POSTed to /emit to every socket: the floor for
//     the API's event fan-out.
// Run by the benchmark with `node api/bench/bare-server.ts`; prints {"port":N} once listening.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { SECURITY_HEADERS } from '../src/http/security-headers.ts'

const body = JSON.stringify({ status: 'ok' })
const length = String(Buffer.byteLength(body))
const notesBody = process.env.NOTES_BODY_FILE ? readFileSync(process.env.NOTES_BODY_FILE) : null
const fixedHeaders = { 'content-type': 'application/json', ...SECURITY_HEADERS }

const wss = new WebSocketServer({ noServer: true })
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health/live') {
    res.writeHead(200, { ...fixedHeaders, 'x-request-id': randomUUID(), 'content-length': length })
    res.end(body)
    return
  }
  if (req.method === 'GET' && req.url === '/api/notes?limit=20' && notesBody) {
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end('{"error":"unauthorized"}')
      return
    }
    res.writeHead(200, { ...fixedHeaders, 'x-request-id': randomUUID() })
    res.end(notesBody)
    return
  }
  if (req.method === 'POST' && req.url === '/emit') {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const message = Buffer.concat(chunks).toString('utf8')
      for (const ws of wss.clients) ws.send(message)
      res.writeHead(204)
      res.end()
    })
    return
  }
  res.writeHead(404, { 'content-type': 'application/json' })
  res.end('{"error":"not found"}')
})
server.on('upgrade', (req, socket, head) => {
  if (!req.url?.startsWith('/ws')) return socket.destroy()
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.send(JSON.stringify({ type: 'hello', at: new Date().toISOString() }))
  })
})

server.listen(Number(process.env.PORT ?? 0), () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }))
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    for (const ws of wss.clients) ws.terminate()
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
}
