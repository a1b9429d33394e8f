import { z } from 'zod'

const csv = z
  .string()
  .optional()
  .transform((v) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : []
  )

const optionalUrl = z.url().optional()

// Every setting the API reads, parsed once at start (DESIGN §3). Names match the design table.
export const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(1).max(65535).default(8080),
    DATA_DIR: z.string().min(1).default('./data'),
    AUDIO_DIR: z.string().min(1).optional(),
    NOTES_DIR: z.string().min(1).optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(8 * 3600),
    MAX_UPLOAD_MB: z.coerce.number().positive().max(4096).default(200),
    MIN_FREE_DISK_MB: z.coerce.number().nonnegative().default(512),
    STT_PROVIDER: z.enum(['deepgram', 'openai']).optional(),
    DEEPGRAM_API_KEY: z.string().min(1).optional(),
    DEEPGRAM_MODEL: z.string().min(1).default('nova-3-medical'),
    DEEPGRAM_KEYTERMS: csv,
    DEEPGRAM_BASE_URL: optionalUrl,
    STT_BASE_URL: optionalUrl,
    STT_API_KEY: z.string().min(1).optional(),
    STT_MODEL: z.string().min(1).default('whisper-1'),
    STT_LABEL: z.string().optional(),
    // OpenAI-compatible engines: longer audio is cut at pauses into chunks within both limits.
    // MB are MiB: OpenAI refuses requests over 25 MiB (26214400 bytes) with a 413.
    STT_MAX_CHUNK_MB: z.coerce.number().min(1).max(4096).default(24),
    STT_MAX_CHUNK_SECONDS: z.coerce.number().int().min(30).default(600),
    STT_CHUNK_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(2),
    WRITER_PROVIDER: z.enum(['openai', 'extractive']).optional(),
    OPENAI_API_KEY: z.string().min(1).optional(),
    OPENAI_BASE_URL: optionalUrl,
    OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
    // Longer transcripts (estimated at 4 characters a token) are written in sections and merged.
    WRITER_MAX_TRANSCRIPT_TOKENS: z.coerce.number().int().min(500).default(16_000),
    // E-mail addresses that may create and edit clinic-wide note templates (api/src/templates/policy.ts).
    CLINIC_TEMPLATE_EDITORS: csv.transform((emails) => emails.map((e) => e.toLowerCase())),
    PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
    // Whether the PWA records Opus (~0.18 MB a minute) instead of 16 kHz WAV (~1.9 MB). Only PCM
    // WAV can be cut into chunks here, so Opus goes to an OpenAI-compatible engine whole: turn it
    // off for an engine that cannot transcribe a whole consultation within PROVIDER_TIMEOUT_MS
    // (the stack's offline engine on one CPU; compose.yml does).
    PWA_RECORD_OPUS: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
    SUPABASE_URL: optionalUrl,
    // Legacy shared secret (HS256); projects on asymmetric signing keys are verified via their JWKS.
    SUPABASE_JWT_SECRET: z.string().min(32).optional(),
    // Public by design (it ships in the PWA); served by GET /api/config.
    SUPABASE_ANON_KEY: z.string().min(1).optional(),
    SUPABASE_JWKS_CACHE_SECONDS: z.coerce.number().int().min(30).default(600),
    // After an unknown kid triggers a refetch, further unknown kids wait this long before the next.
    SUPABASE_JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(0).default(30),
    SUPABASE_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    SUPABASE_SERVICE_ROLE_KEY: z.string().optional(),
    WORKER_CONCURRENCY: z.coerce.number().int().min(0).max(32).default(2),
    JOB_LEASE_SECONDS: z.coerce.number().int().min(5).default(300),
    // Names this worker across restarts, so a restarted API takes back its own jobs at once.
    // Default: the host name, which is the container's id under compose (kept across restarts,
    // unique per replica). Set it when several APIs run on one host outside containers.
    WORKER_ID: z
      .string()
      .regex(/^[\w.:@-]{1,128}$/, 'letters, digits and . _ : @ - only')
      .optional(),
    // Heartbeat period, and the silence after which a worker's jobs go to the other replicas.
    WORKER_HEARTBEAT_SECONDS: z.coerce.number().positive().max(300).default(5),
    WORKER_STALE_SECONDS: z.coerce.number().positive().max(3600).default(15),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    APP_VERSION: z.string().default('0.1.0'),
    // On SIGTERM: how long in-flight requests get to finish before the rest are cut.
    // At start, temporary upload files older than this are removed; 0 removes all (one process).
    // Several replicas share the volume during a rolling deploy: the stack sets 300.
    TMP_STALE_SECONDS: z.coerce.number().int().min(0).default(0),
    // The orphan sweep (audio files no recording row names, moved to .orphans/; abandoned
    // temporary objects on object storage) runs at start and then every interval (0: only at
    // start); a file is an orphan only once older than the age, so uploads in flight are spared.
    ORPHAN_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(3600),
    ORPHAN_MIN_AGE_SECONDS: z.coerce.number().int().min(1).default(3600),
    SHUTDOWN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(3600).default(25),
    // Where audio and notes live: the volumes (disk), or an S3-compatible bucket shared by
    // every replica (AWS S3, Supabase Storage's /storage/v1/s3, SeaweedFS, Garage, MinIO).
    STORAGE: z.enum(['disk', 's3']).default('disk'),
    S3_ENDPOINT: optionalUrl,
    S3_BUCKET: z.string().min(3).max(63).optional(),
    S3_PREFIX: z
      .string()
      .regex(/^[\w!.*'()/-]*$/, "letters, digits and !-_.*'()/ only")
      .default(''),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    // Path-style URLs (endpoint/bucket/key): Supabase and most self-hosted servers need them.
    S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
    // The monitor (compose.monitor.yml), on the internal network only: the admin Status screen
    // reads them through GET /api/admin/status. Unset: that screen says the monitor is off.
    PROMETHEUS_URL: optionalUrl,
    ALERTMANAGER_URL: optionalUrl,
    MONITOR_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.JWT_SECRET && !c.SUPABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required in production' })
    }
    if (c.STT_PROVIDER === 'deepgram' && !c.DEEPGRAM_API_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEEPGRAM_API_KEY'],
        message: 'required by STT_PROVIDER=deepgram',
      })
    }
    if (c.STT_PROVIDER === 'openai' && !c.STT_BASE_URL && !c.STT_API_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['STT_BASE_URL'],
        message: 'STT_PROVIDER=openai needs STT_BASE_URL or STT_API_KEY',
      })
    }
    if (c.STORAGE === 's3' && !c.S3_BUCKET) {
      ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'required by STORAGE=s3' })
    }
    if (!c.S3_ACCESS_KEY_ID !== !c.S3_SECRET_ACCESS_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: [c.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'],
        message: 'set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together',
      })
    }
    if (c.WORKER_STALE_SECONDS < 2 * c.WORKER_HEARTBEAT_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['WORKER_STALE_SECONDS'],
        message: 'must be at least twice WORKER_HEARTBEAT_SECONDS',
      })
    }
    for (const key of ['SUPABASE_JWT_SECRET', 'SUPABASE_ANON_KEY'] as const) {
      if (c[key] && !c.SUPABASE_URL)
        ctx.addIssue({ code: 'custom', path: ['SUPABASE_URL'], message: `required with ${key}` })
    }
  })
  .transform((c) => ({
    ...c,
    AUDIO_DIR: c.AUDIO_DIR ?? `${c.DATA_DIR}/audio`,
    NOTES_DIR: c.NOTES_DIR ?? `${c.DATA_DIR}/notes`,
    STT_PROVIDER:
      c.STT_PROVIDER ?? (c.DEEPGRAM_API_KEY ? 'deepgram' : c.STT_BASE_URL ? 'openai' : undefined),
    WRITER_PROVIDER:
      c.WRITER_PROVIDER ?? (c.OPENAI_API_KEY || c.OPENAI_BASE_URL ? 'openai' : 'extractive'),
    MAX_UPLOAD_BYTES: Math.floor(c.MAX_UPLOAD_MB * 1024 * 1024),
  }))

export type Config = z.infer<typeof ConfigSchema>

export class ConfigError extends Error {}

/**
 * The settings that may come from a file instead (`DATABASE_URL_FILE=/run/secrets/database_url`):
 * Docker Swarm and Kubernetes hand secrets over as files, so they never show in `docker inspect`
 * or the process environment.
 */
export const SECRET_FILE_SETTINGS = [
  'DATABASE_URL',
  'JWT_SECRET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'DEEPGRAM_API_KEY',
  'OPENAI_API_KEY',
  'SUPABASE_JWT_SECRET',
  'SUPABASE_ANON_KEY',
] as const

/** Reads a whole text file; each runtime's entry file passes its own. */
export type ReadTextFile = (path: string) => string

/** Fills `X` from the file `X_FILE` names (trailing newline dropped); `X` itself wins if set. */
function readSecretFiles(
  raw: Record<string, string>,
  readFile: ReadTextFile | undefined
): Record<string, string> {
  const out = { ...raw }
  const problems: string[] = []
  for (const key of SECRET_FILE_SETTINGS) {
    const file = raw[`${key}_FILE`]
    delete out[`${key}_FILE`]
    if (!file || raw[key]) continue
    if (!readFile) {
      problems.push(`${key}_FILE: files are not read here; set ${key} itself`)
      continue
    }
    try {
      out[key] = readFile(file).replace(/\r?\n$/, '')
    } catch (err) {
      problems.push(
        `${key}_FILE: cannot read ${file} (${(err as { code?: string }).code ?? String(err)})`
      )
    }
  }
  if (problems.length) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`)
  return out
}

/** Parses raw environment variables; throws one readable line naming each bad variable. */
export function parseConfig(
  raw: Record<string, string | undefined>,
  readFile?: ReadTextFile
): Config {
  const cleaned = readSecretFiles(
    Object.fromEntries(
      Object.entries(raw).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    ),
    readFile
  )
  const result = ConfigSchema.safeParse(cleaned)
  if (result.success) return result.data
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`)
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`)
}
