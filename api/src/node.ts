import { serve } from '@hono/node-server'
import { createNodeWebSocket } from '@hono/node-ws'
import { Hono } from 'hono'
import type { Server } from 'node:http'
import { ConfigError, parseConfig } from './config.ts'
import { createJsonLogger } from './lib/logger.ts'
import { errorBody } from './errors.ts'
import { buildRuntimeParts } from './adapters/runtime.ts'
import { startScribe } from './scribe.ts'

let config
try {
  config = parseConfig(process.env)
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : String(err))
  process.exit(1)
}
const logger = createJsonLogger(config.LOG_LEVEL)
const root = new Hono()
const { injectWebSocket, upgradeWebSocket } = createNodeWebSocket({ app: root })
const scribe = await startScribe(config, {
  ...(await buildRuntimeParts(config, logger)),
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

let closing = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return
    closing = true
    logger.info('shutting down', { signal })
    server.close()
    server.closeIdleConnections?.()
    void scribe.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('unclean shutdown', { error: String(err) })
        process.exit(1)
      }
    )
  })
}
