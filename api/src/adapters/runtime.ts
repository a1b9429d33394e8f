import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../config.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import type { FileStore } from '../files/file-store.ts'
import { createPgliteDatabase } from './pglite.ts'
import { createPostgresDatabase } from './postgres.ts'
import { assertSessionMode } from './postgres-session.ts'
import { createFsFileStore } from './fs-file-store.ts'
import { createBusboyReader } from './busboy-multipart.ts'
import { createPromMetrics } from './prom-metrics.ts'

/** In development the signing key is made once and kept under DATA_DIR, so sign-ins survive restarts. */
async function devJwtSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, '.jwt-secret')
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch {
    await mkdir(dataDir, { recursive: true })
    const secret = randomBytes(48).toString('hex')
    await writeFile(path, secret, { mode: 0o600, flag: 'wx' }).catch(() => {})
    return (await readFile(path, 'utf8')).trim()
  }
}

/** Throws DatabaseModeError (one line) when DATABASE_URL is a transaction-mode pooler. */
export async function openDatabase(config: Config): Promise<Database> {
  if (!config.DATABASE_URL) return createPgliteDatabase(join(config.DATA_DIR, 'pglite'))
  await assertSessionMode(config.DATABASE_URL)
  return createPostgresDatabase(config.DATABASE_URL)
}

/** STORAGE picks where audio and notes live: the volumes, or a bucket every replica shares. */
export async function openFileStore(config: Config): Promise<FileStore> {
  if (config.STORAGE === 'disk')
    return createFsFileStore(
      { audio: config.AUDIO_DIR, notes: config.NOTES_DIR },
      config.TMP_STALE_SECONDS * 1000
    )
  // Loaded only when chosen: the AWS SDK is large, and a disk install never needs it.
  const { createS3FileStore } = await import('./s3-file-store.ts')
  const { createS3Client } = await import('./s3-client.ts')
  return createS3FileStore({
    client: createS3Client(config),
    bucket: config.S3_BUCKET!,
    prefix: config.S3_PREFIX,
    // A bucket is shared by replicas by design: another one may be uploading right now, so
    // leftovers are swept only once clearly abandoned (two hours: an upload may take one).
    staleTmpMs: Math.max(config.TMP_STALE_SECONDS, 7200) * 1000,
  })
}

/** The parts both runtimes share: Deno runs these adapters through its node: compatibility. */
export async function buildRuntimeParts(config: Config, logger: Logger) {
  const db = await openDatabase(config)
  const files = await openFileStore(config)
  return {
    db,
    files,
    multipart: createBusboyReader(),
    metrics: createPromMetrics(),
    logger,
    // Inside a container this is the container's id: stable across restarts, unique per replica.
    hostname: hostname(),
    // Supabase mode issues no tokens of its own, so it needs no local signing key (and must not
    // try to write one into a read-only DATA_DIR).
    jwtSecret: config.SUPABASE_URL
      ? ''
      : (config.JWT_SECRET ?? (await devJwtSecret(config.DATA_DIR))),
  }
}
