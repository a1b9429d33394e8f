import { $, fs, path } from 'zx'
import { parseDumpData } from '../../lib/manifest.ts'
import { releaseMounts } from '../../lib/mounts.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { formatBytes } from '../../lib/restic.ts'
import { withPostgres } from '../../lib/volumes.ts'
import { DB_DUMP, REFERENCED, workDir } from './context.ts'
import type { BackupContext } from './context.ts'

const q = $({ quiet: true, timeout: '120m' })

/** pg_dump -Fc first: the files copied next are the ones this dump references. */
export const dump = defineStep<BackupContext>({
  name: 'database dump',
  changes: true,
  plan: (c) => `pg_dump the database of ${c.project} (a temporary postgres if the stack is down)`,
  run: async (c) => {
    // A clear copy of patient data: only this user may read it.
    const base = workDir(c.project)
    await fs.mkdirp(base, { mode: 0o700 })
    await fs.chmod(base, 0o700)
    // A run killed mid-way may have left the volumes bound here: never empty through them.
    await releaseMounts(c.staging)
    await fs.emptyDir(c.staging)
    await fs.emptyDir(c.work)
    await fs.mkdirp(path.join(c.staging, 'db'))
    const file = path.join(c.staging, DB_DUMP)
    const data = await withPostgres(c.state!, c.env, async (pg) => {
      await q`docker exec ${pg} pg_dump -U scribe -d scribe -Fc > ${file}`
      return (await q`docker exec -i ${pg} pg_restore --data-only -f - < ${file}`).stdout
    })
    const parsed = parseDumpData(data, [...REFERENCED])
    const [audio, json, markdown] = REFERENCED.map((col) => parsed.values.get(col)!)
    c.tables = parsed.tables
    c.wanted = [
      ...audio!.map((p) => `audio/${p}`),
      ...json!.map((p) => `notes/${p}`),
      ...markdown!.map((p) => `notes/${p}`),
    ]
    const rows = Object.values(parsed.tables).reduce((a, b) => a + b, 0)
    return `${formatBytes((await fs.stat(file)).size)}, ${Object.keys(parsed.tables).length} tables, ${rows} rows, ${c.wanted.length} files referenced`
  },
})
