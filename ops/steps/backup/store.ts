import { echo, fs, path } from 'zx'
import { defineStep } from '../../lib/pipeline.ts'
import { formatBytes } from '../../lib/restic.ts'
import { detail, formatSeconds } from '../../lib/step.ts'
import { workDir } from './context.ts'
import type { BackupContext } from './context.ts'

/** restic backup of the staging folder, with progress every 2 s and its summary. */
export const store = defineStep<BackupContext>({
  name: 'restic backup',
  changes: true,
  plan: (c) => `restic backup into ${c.restic.repository} tagged ${c.tags.join(', ')}`,
  run: async (c) => {
    let last = 0
    const r = await c.restic.backup(c.staging, c.tags, (s) => {
      if (Date.now() - last < 2000) return
      last = Date.now()
      detail(
        `${Math.round(s.percent_done * 100)}% ${s.files_done ?? 0}/${s.total_files ?? '?'} files, ${formatBytes(s.bytes_done ?? 0)}/${formatBytes(s.total_bytes ?? 0)}`
      )
    })
    c.result = r
    echo(
      `Backup ${r.snapshot_id}: ${r.total_files_processed} files, ${formatBytes(r.total_bytes_processed)}, ${formatBytes(r.data_added)} new (${r.files_new} new, ${r.files_changed} changed, ${r.files_unmodified} unchanged files) in ${formatSeconds(r.total_duration)} → ${c.restic.repository}`
    )
    return `snapshot ${r.snapshot_id}`
  },
})

/** The clear copy of patient data never outlives the run. */
export const cleanup = defineStep<BackupContext>({
  name: 'remove the staging copy',
  changes: true,
  plan: (c) => `remove ${workDir(c.project)}/{staging,work}`,
  run: async (c) => {
    await fs.remove(c.staging)
    await fs.remove(c.work)
    return path.relative(process.cwd(), workDir(c.project)) || workDir(c.project)
  },
})
