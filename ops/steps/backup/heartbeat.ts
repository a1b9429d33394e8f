import { defineStep } from '../../lib/pipeline.ts'
import { gauge, writeTextfileMetrics } from '../../lib/textfile.ts'
import type { BackupContext } from './context.ts'

export const HEARTBEAT_METRIC = 'medic_scribe_backup_last_success_timestamp_seconds'

/**
 * The monitor's proof that backups run: the time of this success, for the node exporter's
 * textfile collector (METRICS_TEXTFILE_DIR). Only reached when restic stored the snapshot, so
 * a failed backup leaves the last success in place and the BackupTooOld alert comes due.
 */
export const heartbeat = defineStep<BackupContext>({
  name: 'backup heartbeat',
  changes: true,
  plan: (c) => `write ${c.env.METRICS_TEXTFILE_DIR}/backup.prom (the time of this success)`,
  run: async (c) => {
    const now = Math.floor(Date.now() / 1000)
    const text = gauge(
      HEARTBEAT_METRIC,
      'Unix time of the last successful make backup (restic snapshot stored).',
      [{ value: now }]
    )
    return writeTextfileMetrics(c.env.METRICS_TEXTFILE_DIR, 'backup', text)
  },
})
