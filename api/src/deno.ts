// Deno entry: `deno run -A api/src/deno.ts`. The same app and adapters as Node.
import { upgradeWebSocket } from 'hono/deno'
import { ConfigError, parseConfig } from './config.ts'
import { createJsonLogger } from './lib/logger.ts'
import { buildRuntimeParts } from './adapters/runtime.ts'
import { DatabaseModeError } from './adapters/postgres-session.ts'
import { startScribe } from './scribe.ts'

let config
try {
  config = parseConfig(Deno.env.toObject(), (p) => Deno.readTextFileSync(p))
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : String(err))
  Deno.exit(1)
}
const logger = createJsonLogger(config.LOG_LEVEL)
const parts = await buildRuntimeParts(config, logger).catch((err: unknown) => {
  if (!(err instanceof DatabaseModeError)) throw err
  console.error(err.message)
  return Deno.exit(1)
})
const scribe = await startScribe(config, {
  ...parts,
  upgradeWebSocket,
})
const server = Deno.serve(
  {
    port: config.PORT,
    onListen: () =>
      logger.info('listening', { port: config.PORT, runtime: `deno ${Deno.version.deno}` }),
  },
  scribe.app.fetch
)

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  Deno.addSignalListener(signal, async () => {
    await server.shutdown()
    await scribe.close()
    Deno.exit(0)
  })
}
