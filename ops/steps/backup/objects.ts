import { fs, path } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { describeBucket, mirrorObjects } from '../../lib/object-store.ts'
import type { MirrorIndex } from '../../lib/object-store.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { workDir } from './context.ts'
import type { BackupContext } from './context.ts'

// With STORAGE=s3 the audio and notes are objects. restic reads files, so they are mirrored
// here first: a folder kept from one backup to the next (mode 700, beside the staging folder),
// where only objects whose ETag or size changed are downloaded again. The files of this backup
// are hard-linked from it into staging under the same names as the volumes' files, so a
// snapshot looks the same whichever the storage, and a restore or verify reads it alike.

export const mirrorDir = (project: string): string => path.join(workDir(project), 'mirror')
const indexFile = (project: string): string => path.join(workDir(project), 'mirror-index.json')

export async function readMirrorIndex(project: string): Promise<MirrorIndex> {
  try {
    return JSON.parse(await fs.readFile(indexFile(project), 'utf8')) as MirrorIndex
  } catch {
    return {}
  }
}

export const objects = defineStep<BackupContext>({
  name: 'objects',
  changes: true,
  skip: (c) => (c.bucket ? false : 'STORAGE=disk: the files step read the volumes'),
  plan: (c) =>
    `mirror the objects the dump references from ${c.bucket ? describeBucket(c.bucket) : 'the bucket'} into ${mirrorDir(c.project)} (changed ones only)`,
  run: async (c) => {
    const dir = mirrorDir(c.project)
    await fs.mkdirp(dir, { mode: 0o700 })
    const m = await mirrorObjects(c.bucket!, c.wanted!, dir, await readMirrorIndex(c.project))
    // The index first names only what the mirror holds, so a run cut short re-checks the rest.
    await fs.writeFile(`${indexFile(c.project)}.tmp`, JSON.stringify(m.index))
    await fs.rename(`${indexFile(c.project)}.tmp`, indexFile(c.project))
    if (m.missing.length && !c.partial)
      throw new StopError(
        `${m.missing.length} object(s) the database references are not in the bucket: ${m.missing.slice(0, 3).join(', ')}`,
        'they were lost before this backup; see RUNBOOK.md#backing-up-a-bucket (restore them from an older snapshot, or the provider’s versions)'
      )
    for (const rel of m.included) {
      await fs.mkdirp(path.dirname(path.join(c.staging, rel)))
      await fs.link(path.join(dir, rel), path.join(c.staging, rel))
    }
    c.included = m.included
    c.mirrored = { downloaded: m.downloaded, reused: m.reused }
    const gone = m.missing.length ? `; ${m.missing.length} referenced but missing` : ''
    return `${m.included.length} objects (${m.downloaded} downloaded, ${m.reused} unchanged since the last backup, ${m.removed} no longer referenced dropped from the mirror)${gone}`
  },
})
