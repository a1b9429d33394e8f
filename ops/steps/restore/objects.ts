import { describeDifference, volumeFiles } from '../../lib/manifest.ts'
import type { Difference, ManifestFile } from '../../lib/manifest.ts'
import { describeBucket, liveObjectFiles, putObjects } from '../../lib/object-store.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { detail } from '../../lib/step.ts'
import { liveVolumeFiles } from '../../lib/volumes.ts'
import { readMirrorIndex } from '../backup/objects.ts'
import type { RestoreContext } from './context.ts'

/** The stack's audio and notes as they are now: the volumes', or the bucket's objects. */
export async function liveFiles(c: RestoreContext): Promise<ManifestFile[]> {
  return c.bucket
    ? liveObjectFiles(c.bucket, await readMirrorIndex(c.project))
    : liveVolumeFiles(c.state!)
}

/**
 * What still differs from the snapshot after a restore. In a bucket, objects the snapshot does
 * not hold are left where they are (they may be another installation's, or written by a peer
 * since): noted, not counted. Unreferenced audio is moved to .orphans/ by the API's sweep.
 */
export function remaining(c: RestoreContext, diffs: Difference[]): Difference[] {
  if (!c.bucket) return diffs
  const extra = diffs.filter((d) => d.kind === 'extra')
  for (const d of extra.slice(0, 5)) detail(`left in the bucket: ${describeDifference(d)}`)
  if (extra.length > 5) detail(`… and ${extra.length - 5} more objects left in the bucket`)
  return diffs.filter((d) => d.kind !== 'extra')
}

/** STORAGE=s3: every object the snapshot holds that the bucket lacks or holds otherwise, put back. */
export const objects = defineStep<RestoreContext>({
  name: 'restore the objects',
  changes: true,
  skip: (c) => (c.bucket ? false : 'STORAGE=disk: the volumes step restored the files'),
  plan: (c) =>
    `put the snapshot's missing or different objects back into ${c.bucket ? describeBucket(c.bucket) : 'the bucket'}, each with its SHA-256`,
  run: async (c) => {
    c.changing = true
    const files = volumeFiles(c.manifest!.files)
    const { put, unchanged } = await putObjects(c.bucket!, c.scratch, files, await liveFiles(c))
    return `${put} objects put back (SHA-256 verified by the server), ${unchanged} already there with the same bytes`
  },
})
