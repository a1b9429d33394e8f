// Reading snapshots back: the one a command means, and a restore of it checked against its
// manifest (make backup-verify, make restore).
import { fs, path } from 'zx'
import { StopError } from './errors.ts'
import { MANIFEST_FILE, compareManifests, describeDifference, hashTree } from './manifest.ts'
import type { Manifest } from './manifest.ts'
import type { Restic, Snapshot } from './restic.ts'

/** Every snapshot of the stack carries this tag (and project=, host=; safety for a restore's). */
export const TAG = 'medic-scribe'

/**
 * The snapshot asked for (an id prefix), or the newest one (of `project` when given; safety
 * backups taken by a restore are only picked by id).
 */
export async function pickSnapshot(
  restic: Restic,
  id?: string,
  project?: string
): Promise<Snapshot> {
  const all = (await restic.snapshots([TAG])).sort((a, b) => a.time.localeCompare(b.time))
  const newest = all.filter(
    (s) =>
      !s.tags?.includes('safety') &&
      (project === undefined || s.tags?.includes(`project=${project}`))
  )
  const found = id ? all.find((s) => s.id.startsWith(id)) : newest.at(-1)
  if (!found)
    throw new StopError(
      id
        ? `no snapshot ${id} in ${restic.repository}`
        : `no backup${project ? ` of ${project}` : ''} in ${restic.repository} yet`,
      id
        ? 'list them with: restic snapshots (or make backup-prune ARGS=--dry-run)'
        : 'run make backup'
    )
  return found
}

/** Restores a snapshot into `target` and compares it with its own manifest; the problems. */
export async function restoreAndCompare(
  restic: Restic,
  snap: Snapshot,
  target: string
): Promise<{ problems: string[]; manifest?: Manifest }> {
  // A clear copy of patient data: the folder above is for this user only.
  await fs.mkdirp(path.dirname(target), { mode: 0o700 })
  await fs.chmod(path.dirname(target), 0o700)
  await fs.emptyDir(target)
  const problems: string[] = []
  const restored = await restic.restore(snap.id, target)
  if (!restored.ok) problems.push(...restored.errors.slice(0, 20).map((e) => `restic: ${e}`))
  let manifest: Manifest | undefined
  try {
    manifest = JSON.parse(await fs.readFile(path.join(target, MANIFEST_FILE), 'utf8')) as Manifest
  } catch {
    problems.push(`${MANIFEST_FILE}: missing or unreadable in snapshot ${snap.short_id}`)
    return { problems }
  }
  const files = await hashTree(target)
  const diffs = compareManifests({ files: manifest.files, tables: {} }, { files, tables: {} })
  problems.push(...diffs.map((d) => `damaged: ${describeDifference(d)}`))
  return { problems, manifest }
}
