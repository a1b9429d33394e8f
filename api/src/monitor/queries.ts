// The Status screen's fixed queries, defined once: the client names a tile (contract/admin.ts
// STATUS_METRICS), never a query. Metric names and thresholds are the alert rules' own
// (ops/lib/monitor/rules.ts, thresholds.ts), so a tile turns red where its alert fires.
import type { StatusMetric, Tile, TileState } from '../contract/admin.ts'
import { DEFAULT_THRESHOLDS as T } from '../../../ops/lib/monitor/thresholds.ts'

export type TileQuery = {
  label: string
  unit: Tile['unit']
  expr: string
  /** The label that names each series (the volume, the provider), or null for a single one. */
  by: string | null
  threshold: number | null
  state: (value: number) => TileState
  /** The state when there is no sample at all. */
  absent: TileState
}

const above = (limit: number, state: TileState) => (v: number) => (v > limit ? state : 'ok')
const DAY = 86400

export const TILE_QUERIES: Record<StatusMetric, TileQuery> = {
  site_up: {
    label: 'Site (through the edge)',
    unit: 'boolean',
    expr: 'min(probe_success{job="site"})',
    by: null,
    threshold: null,
    state: (v) => (v >= 1 ? 'ok' : 'critical'),
    absent: 'unknown',
  },
  api_replicas_up: {
    label: 'API replicas up',
    unit: 'count',
    expr: 'sum(up{job="api"})',
    by: null,
    threshold: null,
    state: (v) => (v >= 1 ? 'ok' : 'critical'),
    absent: 'critical',
  },
  queue_waiting: {
    label: 'Recordings waiting',
    unit: 'count',
    expr: 'max(scribe_jobs{job="api",state="waiting"})',
    by: null,
    threshold: T.queueWaitingJobs,
    state: above(T.queueWaitingJobs, 'warning'),
    absent: 'unknown',
  },
  queue_oldest_seconds: {
    label: 'Oldest waiting recording',
    unit: 'seconds',
    expr: 'max(scribe_jobs_oldest_pending_age_seconds{job="api"})',
    by: null,
    threshold: T.queueOldestSeconds,
    state: above(T.queueOldestSeconds, 'warning'),
    absent: 'unknown',
  },
  provider_circuit_open: {
    label: 'Provider circuit open',
    unit: 'boolean',
    expr: 'max by (provider) (scribe_provider_circuit_open{job="api"})',
    by: 'provider',
    threshold: null,
    state: (v) => (v >= 1 ? 'warning' : 'ok'),
    absent: 'unknown',
  },
  disk_free_ratio: {
    label: 'Free disk',
    unit: 'ratio',
    expr:
      'min by (volume) (node_filesystem_avail_bytes{job="node",volume!=""}' +
      ' / node_filesystem_size_bytes{job="node",volume!=""})',
    by: 'volume',
    threshold: T.diskFreeRatio,
    state: (v) => (v < T.diskFreeRatio ? 'critical' : 'ok'),
    absent: 'unknown',
  },
  backup_age_seconds: {
    label: 'Last successful backup',
    unit: 'seconds',
    expr: 'time() - max(medic_scribe_backup_last_success_timestamp_seconds)',
    by: null,
    threshold: T.backupMaxAgeHours * 3600,
    state: above(T.backupMaxAgeHours * 3600, 'warning'),
    // No heartbeat: no backup has ever succeeded (BackupTooOld fires on that too).
    absent: 'warning',
  },
  certificate_days_left: {
    label: 'Certificate days left',
    unit: 'days',
    expr: `min by (instance) (probe_ssl_earliest_cert_expiry{job="site"} - time()) / ${DAY}`,
    by: 'instance',
    threshold: T.certificateWarnDays,
    state: (v) =>
      v < T.certificateCriticalDays ? 'critical' : v < T.certificateWarnDays ? 'warning' : 'ok',
    absent: 'unknown',
  },
}
