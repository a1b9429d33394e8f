// The speech provider of the chaos stack: the tests' fake OpenAI-compatible transcription server
// (tests/support/fake-stt-server.ts) on :8000 in a container on the stack's network, and a small
// control API on :8001 (published on 127.0.0.1 only) through which a drill makes it fail, throttle
// or slow down. Bundled by chaos/lib/fake-provider-bundle.ts and run with the api image's Node.
import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { startFakeSttServer } from '../../tests/support/fake-stt-server.ts'

// FAKE_STT_DELAY_MS: a fixed latency from the start (the Swarm tests and bench set it, since no
// control port is published there).
const stt = await startFakeSttServer({
  host: '0.0.0.0',
  port: 8000,
  delayMs: Number(process.env.FAKE_STT_DELAY_MS ?? 0),
})

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = ''
  for await (const chunk of req) text += String(chunk)
  return text ? (JSON.parse(text) as Record<string, unknown>) : {}
}

const state = () => ({
  requests: stt.requests,
  answered: stt.answered,
  abandoned: stt.abandoned,
  in_flight: stt.inFlight,
  delay_ms: stt.delayMs,
})

const control = createServer((req, res) => {
  void (async () => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const body = req.method === 'POST' ? await readJson(req) : {}
    if (path === '/fail') {
      const retryAfter = body.retry_after_seconds
      stt.failNext(
        Number(body.count ?? 1),
        Number(body.status ?? 500),
        retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }
      )
    } else if (path === '/delay') {
      stt.delayMs = Number(body.ms ?? 0)
    } else if (path === '/reset') {
      stt.clearFailures()
      stt.delayMs = 0
    } else if (path === '/api-ready') {
      // The api's readiness, asked from inside the stack's network: the runner reaches it
      // through this published port instead of a docker exec per probe.
      const ready = await fetch('http://api:8080/health/ready', {
        signal: AbortSignal.timeout(4_000),
      }).then(
        async (r) => ({ status: r.status, body: await r.text() }),
        (err: unknown) => ({ status: 0, body: JSON.stringify({ error: String(err) }) })
      )
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ready))
      return
    } else if (path !== '/state') {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state()))
  })().catch((err: unknown) => res.writeHead(400).end(String(err)))
})
control.listen(8001, '0.0.0.0')
console.log(`fake provider: transcriptions on :8000, control on :8001`)

for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    control.close()
    void stt.close().then(() => process.exit(0))
  })
