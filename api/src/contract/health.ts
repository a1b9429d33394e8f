import { z } from 'zod'

/** GET /health/live: no dependency is checked; `version` is the release being served. */
export const LivenessSchema = z.strictObject({ status: z.literal('ok'), version: z.string() })

const CheckSchema = z.union([
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({ ok: z.literal(false), error: z.string() }),
  z.strictObject({
    ok: z.boolean(),
    writable: z.boolean(),
    /** null: no limit the API can read (object storage reports none). */
    free_bytes: z.number().nonnegative().nullable(),
  }),
])

/** GET /health/ready: 200 when every check passes, else 503 naming the failing ones. */
export const ReadinessSchema = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  failing: z.array(z.enum(['database', 'audio', 'notes'])),
  checks: z.strictObject({ database: CheckSchema, audio: CheckSchema, notes: CheckSchema }),
})
export type Readiness = z.infer<typeof ReadinessSchema>

const CircuitStateSchema = z.enum(['closed', 'open', 'half-open'])

/** GET /health: what an operator looks at first. */
export const HealthSchema = z.strictObject({
  status: z.literal('ok'),
  version: z.string(),
  uptime_s: z.number().int().nonnegative(),
  database: z.string(),
  providers: z.strictObject({
    /** `name:model`, or null while no speech-to-text is configured (recordings wait). */
    stt: z.string().nullable(),
    writer: z.string(),
    circuits: z.strictObject({ stt: CircuitStateSchema, writer: CircuitStateSchema }),
  }),
  /** Jobs by state: waiting, running, done, failed. */
  queue: z.record(z.string(), z.number().int().nonnegative()),
  websockets: z.number().int().nonnegative(),
  free_disk_bytes: z.number().nonnegative().nullable(),
})
export type Health = z.infer<typeof HealthSchema>
