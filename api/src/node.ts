import { readFileSync } from 'node:fs'
import { serve } from '@hono/node-server'
import { createNodeWebSocket } from '@hono/node-ws'
import { Hono } from 'hono'
import type { Server } from 'node:http'
import { ConfigError, parseConfig } from './config.ts'
import { createJsonLogger } from './lib/logger.ts'
import { createBatchedStdout } from './adapters/batched-stdout.ts'
import { errorBody } from './errors.ts'
import { buildRuntimeParts } from './adapters/runtime.ts'
import { DatabaseModeError } from './adapters/postgres-session.ts'
import { startScribe } from './scribe.ts'

let config
try {
  config = parseConfig(process.env, (p) => readFileSync(p, 'utf8'))
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : String(err))
  process.exit(1)
}
const logger = createJsonLogger(config.LOG_LEVEL, createBatchedStdout())
const root = new Hono()
const { injectWebSocket, upgradeWebSocket, wss } = createNodeWebSocket({ app: root })
const parts = await buildRuntimeParts(config, logger).catch((err: unknown) => {
  if (!(err instanceof DatabaseModeError)) throw err
  console.error(err.message)
  return process.exit(1)
})
const scribe = await startScribe(config, {
  ...parts,
  upgradeWebSocket,
})
root.route('/', scribe.app)
root.notFound((c) => c.json(errorBody('NOT_FOUND', 'no such route'), 404))

const server = serve({ fetch: root.fetch, port: config.PORT }) as Server
// Long uploads over slow links must not be cut by Node's 5-minute request timeout.
server.requestTimeout = 60 * 60_000
injectWebSocket(server)
logger.info('listening', {
  port: config.PORT,
  runtime: `node ${process.version}`,
  database: scribe.app && config.DATABASE_URL ? 'postgres' : 'pglite',
})

// Graceful stop (a deploy sends SIGTERM once the edge routes to the new release): stop
// accepting, tell sockets to reconnect (1012: service restart; they reach the new release
// through the edge), let in-flight requests finish for SHUTDOWN_DRAIN_SECONDS, then stop the
// worker (unfinished jobs go back to the queue) and close the database.
let inFlight = 0
server.on('request', (_req, res) => {
  inFlight++
  res.once('close', () => inFlight--)
})
const drain = async (ms: number): Promise<number> => {
  const deadline = Date.now() + ms
  while (inFlight > 0 && Date.now() < deadline) {
    server.closeIdleConnections()
    await new Promise((r) => setTimeout(r, 100))
  }
  return inFlight
}

let closing = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return
    closing = true
    const started = Date.now()
    logger.info('shutting down', { signal, in_flight: inFlight, sockets: wss.clients.size })
    server.close()
    for (const ws of wss.clients) ws.close(1012, 'server restarting')
    void drain(config.SHUTDOWN_DRAIN_SECONDS * 1000)
      .then((left) => {
        if (left > 0) logger.warn('drain timed out', { cut: left })
        server.closeAllConnections()
        return scribe.close()
      })
      .then(
        () => {
          logger.info('stopped', { drain_ms: Date.now() - started })
          process.exit(0)
        },
        (err: unknown) => {
          logger.error('unclean shutdown', { error: String(err) })
          process.exit(1)
        }
      )
  })
}
