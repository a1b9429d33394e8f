// The fast way to stage a backup: hard links from the volumes' folders on this machine into the
// staging folder, no byte copied. Safe because the API never changes a file once it is renamed
// into place (edits are new files), and nothing here writes through a link: the manifest and
// restic only read, and removing the staging folder only removes the links.
import { readdir } from 'node:fs/promises'
import { fs, path } from 'zx'

export type Linked = { present: number; missing: string[]; total: number }

async function filesUnder(dir: string): Promise<string[]> {
  if (!(await fs.pathExists(dir))) return []
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
}

/**
 * Links `wanted` (`audio/…`, `notes/…`) and every file of each volume's `.orphans/` from the
 * volume folders into `staging`; counts the volumes' files outside `.tmp/` for the caller's note.
 */
export async function linkFiles(
  volumes: { audio: string; notes: string },
  wanted: string[],
  staging: string
): Promise<Linked> {
  const missing: string[] = []
  let present = 0
  const link = async (src: string, rel: string) => {
    const dst = path.join(staging, rel)
    await fs.mkdirp(path.dirname(dst))
    await fs.link(src, dst)
    present++
  }
  for (const rel of wanted) {
    const [volume, ...rest] = rel.split('/')
    const src = path.join(volumes[volume as 'audio' | 'notes'], ...rest)
    try {
      await link(src, rel)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      missing.push(rel)
    }
  }
  let total = 0
  for (const name of ['audio', 'notes'] as const) {
    const root = volumes[name]
    for (const file of await filesUnder(path.join(root, '.orphans')))
      await link(file, path.join(name, path.relative(root, file)))
    const all = await filesUnder(root)
    total += all.filter((f) => !path.relative(root, f).split(path.sep).includes('.tmp')).length
  }
  return { present, missing, total }
}
