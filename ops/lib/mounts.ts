// Read-only bind mounts of the volumes' folders into a backup's staging folder: restic and the
// manifest read the files where they are, with no copy. Read-only, so nothing can write or delete
// through them; and every mount under a folder is released before that folder is ever emptied.
import { readFile } from 'node:fs/promises'
import { $, fs, path } from 'zx'
import { StopError } from './errors.ts'

const q = $({ quiet: true, nothrow: true, timeout: '60s' })

/** Mount points at or under `dir`, deepest first (as /proc/self/mountinfo lists them). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const root = path.resolve(dir)
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '')
  const points = info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p)
    // mountinfo escapes spaces, tabs, newlines and backslashes as octal.
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === root || p.startsWith(`${root}/`))
  return [...new Set(points)].sort((a, b) => b.length - a.length)
}

/**
 * Binds `source` read-only at `target`; false (and nothing left mounted) when this machine does
 * not allow it (not root, no mount namespace rights), so the caller copies instead.
 */
export async function bindReadOnly(source: string, target: string): Promise<boolean> {
  if (process.getuid?.() !== 0) return false
  await fs.mkdirp(target)
  if (!(await q`mount --bind ${source} ${target}`).ok) return false
  if ((await q`mount -o remount,bind,ro ${target}`).ok) return true
  await q`umount ${target}`
  return false
}

/** Releases every mount under `dir`; stops (and deletes nothing) if one cannot be released. */
export async function releaseMounts(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) {
    if (!(await q`umount ${point}`).ok) await q`umount -l ${point}`
  }
  const left = await mountsUnder(dir)
  if (left.length)
    throw new StopError(
      `cannot release the mount ${left[0]}; nothing under ${dir} was removed`,
      `run umount ${left[0]} as root, then run the backup again`
    )
}
