import type { UpgradeWebSocket } from 'hono/ws'
import type { Config } from './config.ts'
import type { Database } from './store/database.ts'
import type { FileStore } from './files/file-store.ts'
import type { MultipartReader } from './uploads/multipart.ts'
import type { Logger } from './lib/logger.ts'
import type { Metrics } from './lib/metrics.ts'
import type { Clock } from './lib/clock.ts'
import { systemClock } from './lib/clock.ts'
import type { NoteWriter, SpeechToText } from './providers/types.ts'
import { migrate } from './store/migrations.ts'
import { createLocalTokens } from './auth/tokens.ts'
import { createSupabaseTokens } from './auth/supabase-tokens.ts'
import { createEventHub } from './events/hub.ts'
import { Circuit } from './jobs/circuit.ts'
import { createWorker } from './jobs/worker.ts'
import { selectProviders } from './providers/select.ts'
import { createApp } from './app.ts'
import { startOrphanSweeper, sweepOrphanAudio } from './jobs/sweep.ts'

export type RuntimeParts = {
  db: Database
  files: FileStore
  multipart: MultipartReader
  metrics: Metrics
  logger: Logger
  upgradeWebSocket: UpgradeWebSocket
  /** This machine's name: the default WORKER_ID (the entry reads it; the core cannot). */
  hostname?: string
  /** Used when JWT_SECRET is unset outside production. */
  jwtSecret: string
  clock?: Clock
  providers?: { stt: SpeechToText | undefined; writer: NoteWriter }
  worker?: {
    pollMs?: number
    backoff?: { baseMs: number; capMs: number }
    random?: () => number
    circuitOpenMs?: number
  }
}

/** Wires the app, the event hub and the job worker; shared by the Node and Deno entries. */
export async function startScribe(config: Config, parts: RuntimeParts) {
  const clock = parts.clock ?? systemClock
  const { db, logger, metrics } = parts
  const applied = await migrate(db)
  if (applied.length) logger.info('database migrated', { applied })
  const sweepDeps = { db, files: parts.files, logger, clock }
  await sweepOrphanAudio(sweepDeps, config.ORPHAN_MIN_AGE_SECONDS * 1000)
  const tokens = config.SUPABASE_URL
    ? createSupabaseTokens({
        url: config.SUPABASE_URL,
        jwtSecret: config.SUPABASE_JWT_SECRET,
        jwks: {
          cacheMaxAgeMs: config.SUPABASE_JWKS_CACHE_SECONDS * 1000,
          cooldownMs: config.SUPABASE_JWKS_COOLDOWN_SECONDS * 1000,
        },
        clockToleranceSeconds: config.SUPABASE_CLOCK_SKEW_SECONDS,
        now: () => clock.now(),
      })
    : createLocalTokens(config.JWT_SECRET ?? parts.jwtSecret, config.JWT_TTL_SECONDS, () =>
        clock.now()
      )
  const providers = parts.providers ?? selectProviders(config)
  const onCircuit = (name: string, state: string) =>
    logger.warn('provider circuit changed', { provider: name, state })
  const openMs = parts.worker?.circuitOpenMs ?? 30_000
  const circuits = {
    stt: new Circuit(providers.stt?.name ?? 'stt', clock, 5, openMs, onCircuit),
    writer: new Circuit(providers.writer.name, clock, 5, openMs, onCircuit),
  }
  const hub = createEventHub(db, logger)
  await hub.start()
  const worker = createWorker({
    db,
    files: parts.files,
    hub,
    stt: providers.stt,
    writer: providers.writer,
    circuits,
    logger,
    metrics,
    clock,
    concurrency: config.WORKER_CONCURRENCY,
    leaseSeconds: config.JOB_LEASE_SECONDS,
    workerId: config.WORKER_ID ?? parts.hostname,
    host: parts.hostname,
    heartbeatSeconds: config.WORKER_HEARTBEAT_SECONDS,
    staleSeconds: config.WORKER_STALE_SECONDS,
    sttLabel: config.STT_LABEL,
    ...parts.worker,
  })
  if (!providers.stt) {
    logger.warn(
      'no speech-to-text provider is configured: recordings will wait until one is (DEEPGRAM_API_KEY or STT_BASE_URL)'
    )
  }
  const app = createApp({
    config,
    db,
    files: parts.files,
    multipart: parts.multipart,
    tokens,
    clock,
    logger,
    metrics,
    hub,
    providers: { ...providers, circuits },
    queue: worker,
    upgradeWebSocket: parts.upgradeWebSocket,
    startedAt: clock.now(),
  })
  await worker.start()
  const sweeper = startOrphanSweeper(sweepDeps, {
    intervalMs: config.ORPHAN_SWEEP_INTERVAL_SECONDS * 1000,
    minAgeMs: config.ORPHAN_MIN_AGE_SECONDS * 1000,
    // As at start (adapters/runtime.ts): a shared bucket's uploads may take an hour.
    tmpStaleMs: Math.max(config.TMP_STALE_SECONDS, 7200) * 1000,
  })
  return {
    app,
    worker,
    hub,
    tokens,
    async close() {
      await sweeper.stop()
      await worker.stop()
      await hub.close()
      await db.close()
    },
  }
}
export type Scribe = Awaited<ReturnType<typeof startScribe>>
