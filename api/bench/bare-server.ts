// The baseline for `npm run bench:api`: a bare node:http server answering GET /health/live with
// the same JSON and about the same response headers as the API (Hono's secureHeaders and a
// request id), so the comparison measures the framework and middleware, not header bytes.
// Run by the benchmark with `node api/bench/bare-server.ts`; prints {"port":N} once listening.
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

const body = JSON.stringify({ status: 'ok' })
const length = String(Buffer.byteLength(body))
const fixedHeaders = {
  'content-type': 'application/json',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health/live') {
    res.writeHead(200, { ...fixedHeaders, 'x-request-id': randomUUID(), 'content-length': length })
    res.end(body)
    return
  }
  res.writeHead(404, { 'content-type': 'application/json' })
  res.end('{"error":"not found"}')
})

server.listen(Number(process.env.PORT ?? 0), () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }))
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
}
