import { echo, fs, path } from 'zx'
import { MANIFEST_FILE } from '../../lib/manifest.ts'
import { releaseMounts } from '../../lib/mounts.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { formatBytes } from '../../lib/restic.ts'
import type { Status } from '../../lib/restic.ts'
import { detail, formatSeconds } from '../../lib/step.ts'
import { DB_DUMP, TAG, workDir } from './context.ts'
import type { BackupContext } from './context.ts'

/** restic backup of the staging folder, with progress every 2 s and its summary. */
export const store = defineStep<BackupContext>({
  name: 'restic backup',
  changes: true,
  plan: (c) => `restic backup into ${c.restic.repository} tagged ${c.tags.join(', ')}`,
  run: async (c) => {
    let last = 0
    // Only the listed files: the staging folder may be the volumes themselves, bound read-only.
    const list = path.join(c.work, 'files.txt')
    await fs.writeFile(list, [MANIFEST_FILE, DB_DUMP, ...c.included!].map((p) => `${p}\n`).join(''))
    const previous = (await c.restic.snapshots([TAG, `project=${c.project}`])).sort((a, b) =>
      a.time.localeCompare(b.time)
    )
    const progress = (s: Status) => {
      if (Date.now() - last < 2000) return
      last = Date.now()
      detail(
        `${Math.round(s.percent_done * 100)}% ${s.files_done ?? 0}/${s.total_files ?? '?'} files, ${formatBytes(s.bytes_done ?? 0)}/${formatBytes(s.total_bytes ?? 0)}`
      )
    }
    const parent = previous.at(-1)?.id
    const r = await c.restic.backup(c.staging, c.tags, progress, {
      filesFrom: list,
      ...(parent ? { parent } : {}),
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
    await releaseMounts(c.staging)
    await fs.remove(c.staging)
    await fs.remove(c.work)
    return path.relative(process.cwd(), workDir(c.project)) || workDir(c.project)
  },
})
