// The fast way to stage a backup, where this machine allows it (the engine is local and we are
// root): the volumes' own folders bound read-only into the staging folder. No byte is copied,
// and a file keeps its inode and mtime from one backup to the next, so restic and the manifest
// skip what did not change.
import { readdir } from 'node:fs/promises'
import { fs, path } from 'zx'
import { bindReadOnly, releaseMounts } from '../../lib/mounts.ts'

export type Staged = { included: string[]; missing: string[]; total: number }

async function filesUnder(dir: string): Promise<string[]> {
  if (!(await fs.pathExists(dir))) return []
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
}

/**
 * Binds each volume at `staging/<area>`; undefined when binding is not allowed here. The files
 * included are `wanted` (`audio/…`, `notes/…`) and every file of each volume's `.orphans/`;
 * `total` counts the volumes' files outside `.tmp/`, for the caller's note.
 */
export async function stageByMounts(
  volumes: { audio: string; notes: string },
  wanted: string[],
  staging: string
): Promise<Staged | undefined> {
  for (const area of ['audio', 'notes'] as const) {
    if (!(await bindReadOnly(volumes[area], path.join(staging, area)))) {
      await releaseMounts(staging)
      return undefined
    }
  }
  const included: string[] = []
  const missing: string[] = []
  for (const rel of wanted) {
    if (await fs.pathExists(path.join(staging, rel))) included.push(rel)
    else missing.push(rel)
  }
  let total = 0
  for (const area of ['audio', 'notes'] as const) {
    const root = path.join(staging, area)
    for (const file of await filesUnder(path.join(root, '.orphans')))
      included.push(path.relative(staging, file).split(path.sep).join('/'))
    const all = await filesUnder(root)
    total += all.filter((f) => !path.relative(root, f).split(path.sep).includes('.tmp')).length
  }
  return { included, missing, total }
}
