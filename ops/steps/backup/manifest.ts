import { fs, path } from 'zx'
import { MANIFEST_FILE, hashTree } from '../../lib/manifest.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { formatBytes } from '../../lib/restic.ts'
import type { BackupContext } from './context.ts'

/** Every file's size and SHA-256 and every table's row count, stored in the snapshot. */
export const manifest = defineStep<BackupContext>({
  name: 'manifest',
  changes: true,
  plan: () => 'write manifest.json: every file’s SHA-256 and every table’s row count',
  run: async (c) => {
    const files = await hashTree(c.staging)
    c.manifest = {
      version: 1,
      project: c.project,
      createdAt: new Date().toISOString(),
      files,
      tables: c.tables!,
    }
    await fs.writeFile(
      path.join(c.staging, MANIFEST_FILE),
      `${JSON.stringify(c.manifest, null, 1)}\n`
    )
    return `${files.length} files, ${formatBytes(files.reduce((a, f) => a + f.size, 0))}`
  },
})
