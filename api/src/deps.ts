import type { UpgradeWebSocket } from 'hono/ws'
import type { Config } from './config.ts'
import type { Database } from './store/database.ts'
import type { FileStore } from './files/file-store.ts'
import type { MultipartReader } from './uploads/multipart.ts'
import type { TokenService, Principal } from './auth/tokens.ts'
import type { Clock } from './lib/clock.ts'
import type { Logger } from './lib/logger.ts'
import type { Metrics } from './lib/metrics.ts'
import type { EventHub } from './events/hub.ts'
import type { NoteWriter, SpeechToText } from './providers/types.ts'
import type { Circuit } from './jobs/circuit.ts'

/** Everything runtime-specific or external that the app needs, built by the entry file. */
export type AppDeps = {
  config: Config
  db: Database
  files: FileStore
  multipart: MultipartReader
  tokens: TokenService
  clock: Clock
  logger: Logger
  metrics: Metrics
  hub: EventHub
  providers: {
    stt: SpeechToText | undefined
    writer: NoteWriter
    circuits: { stt: Circuit; writer: Circuit }
  }
  queue: { wake(): void }
  upgradeWebSocket: UpgradeWebSocket
  startedAt: number
}

export type AppEnv = {
  Variables: {
    requestId: string
    principal: Principal
    /** Set by fastJson(): the response already carries the security headers and request id. */
    responseHeadersDone?: boolean
  }
}
