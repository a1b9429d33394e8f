import { fs, path } from 'zx'
import { MANIFEST_FILE, hashFilesReusing } from '../../lib/manifest.ts'
import type { HashCache } from '../../lib/manifest.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { formatBytes } from '../../lib/restic.ts'
import { DB_DUMP, workDir } from './context.ts'
import type { BackupContext } from './context.ts'

/** Hashes of earlier runs, kept beside the staging folder (mode 700), never in a snapshot. */
const cacheFile = (project: string): string => path.join(workDir(project), 'hash-cache.json')

async function readCache(file: string): Promise<HashCache> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as HashCache
  } catch {
    return {}
  }
}

/** Every file's size and SHA-256 and every table's row count, stored in the snapshot. */
export const manifest = defineStep<BackupContext>({
  name: 'manifest',
  changes: true,
  plan: () => 'write manifest.json: every file’s SHA-256 and every table’s row count',
  run: async (c) => {
    const cache = cacheFile(c.project)
    const paths = [DB_DUMP, ...c.included!]
    const { files, next, reused } = await hashFilesReusing(c.staging, paths, await readCache(cache))
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
    await fs.writeFile(`${cache}.tmp`, JSON.stringify(next))
    await fs.rename(`${cache}.tmp`, cache)
    const bytes = formatBytes(files.reduce((a, f) => a + f.size, 0))
    return `${files.length} files, ${bytes}; ${files.length - reused} hashed, ${reused} unchanged since the last backup`
  },
})
