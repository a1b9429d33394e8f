import { z } from 'zod'

/** GET /api/me: who is signed in, and whether the PWA shows the operator's screens. */
export const RoleSchema = z.enum(['clinician', 'admin'])
export type Role = z.infer<typeof RoleSchema>

export const MeSchema = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  role: RoleSchema,
})
export type Me = z.infer<typeof MeSchema>

/**
 * The Status screen's tiles, one fixed Prometheus query each (api/src/monitor/queries.ts): the
 * client names a tile, never a query.
 */
export const STATUS_METRICS = [
  'site_up',
  'api_replicas_up',
  'queue_waiting',
  'queue_oldest_seconds',
  'provider_circuit_open',
  'disk_free_ratio',
  'backup_age_seconds',
  'certificate_days_left',
] as const
export const StatusMetricSchema = z.enum(STATUS_METRICS)
export type StatusMetric = z.infer<typeof StatusMetricSchema>

/** ok, worth a look, act now, or no data (never scraped, or the metric does not exist yet). */
export const TileStateSchema = z.enum(['ok', 'warning', 'critical', 'unknown'])
export type TileState = z.infer<typeof TileStateSchema>

export const TileSchema = z.strictObject({
  metric: StatusMetricSchema,
  /** The series within the metric: the volume, the provider, the certificate; '' for one. */
  series: z.string(),
  label: z.string(),
  unit: z.enum(['boolean', 'count', 'seconds', 'ratio', 'days']),
  value: z.number().nullable(),
  state: TileStateSchema,
  /** Where the tile turns warning or critical (from ops/lib/monitor/thresholds.ts). */
  threshold: z.number().nullable(),
})
export type Tile = z.infer<typeof TileSchema>

export const StatusAlertSchema = z.strictObject({
  name: z.string(),
  severity: z.string(),
  summary: z.string(),
  since: z.string(),
  state: z.enum(['firing', 'silenced', 'inhibited']),
})
export type StatusAlert = z.infer<typeof StatusAlertSchema>

/** GET /api/admin/status: 200 with the tiles, or 503 with `monitor.available: false`. */
export const AdminStatusSchema = z.strictObject({
  generated_at: z.iso.datetime(),
  monitor: z.strictObject({ available: z.boolean(), reason: z.string().nullable() }),
  tiles: z.array(TileSchema),
  alerts: z.array(StatusAlertSchema),
})
export type AdminStatus = z.infer<typeof AdminStatusSchema>

export const SERIES_RANGES = ['1h', '6h', '24h'] as const
export const StatusSeriesQuerySchema = z.strictObject({
  metric: StatusMetricSchema,
  range: z.enum(SERIES_RANGES).default('24h'),
})
export type StatusSeriesQuery = z.infer<typeof StatusSeriesQuerySchema>

/** GET /api/admin/status/series: one line per series, as parallel arrays (what uPlot draws). */
export const StatusSeriesSchema = z.strictObject({
  metric: StatusMetricSchema,
  range: z.enum(SERIES_RANGES),
  step_seconds: z.number().int().positive(),
  /** Unix seconds. */
  timestamps: z.array(z.number()),
  series: z.array(
    z.strictObject({
      series: z.string(),
      label: z.string(),
      values: z.array(z.number().nullable()),
    })
  ),
})
export type StatusSeries = z.infer<typeof StatusSeriesSchema>
