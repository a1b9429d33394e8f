import { $, fs, path } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { BASE_IMAGE } from '../../lib/images.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { volumeHostPath } from '../../lib/volumes.ts'
import type { BackupContext } from './context.ts'
import { stageByMounts } from './stage-in-place.ts'
import type { Staged } from './stage-in-place.ts'

// Copies the referenced files (and .orphans/) out of the volumes, as root in a throwaway
// container, then hands them to the invoking user so restic need not run as root. Used when the
// volumes cannot be read in place (a remote engine, not root).
const COPY_SCRIPT = `set -euo pipefail
cd /data
: > /work/present.txt; : > /work/missing.txt
while IFS= read -r p; do
  if [ -f "$p" ]; then printf '%s\\n' "$p" >> /work/present.txt; else printf '%s\\n' "$p" >> /work/missing.txt; fi
done < /work/wanted.txt
for a in audio notes; do
  if [ -d "$a/.orphans" ]; then find "$a/.orphans" -type f >> /work/present.txt; fi
done
find audio notes -type f ! -path '*/.tmp/*' | wc -l > /work/total.txt
mkdir -p /out/audio /out/notes
tar -cf - --verbatim-files-from -T /work/present.txt | tar -C /out -xpf -
chown -R "$OWNER" /out`

const lines = async (file: string): Promise<string[]> =>
  (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean)

/** Through a throwaway container: works with a remote engine and without root. */
async function copyFiles(c: BackupContext): Promise<Staged> {
  const { volumes } = c.state!
  await fs.writeFile(path.join(c.work, 'wanted.txt'), c.wanted!.map((p) => `${p}\n`).join(''))
  const owner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`
  await $({
    quiet: true,
    timeout: '120m',
  })`docker run --rm --network none -e OWNER=${owner} -v ${volumes.audio}:/data/audio:ro -v ${volumes.notes}:/data/notes:ro -v ${c.staging}:/out -v ${c.work}:/work ${BASE_IMAGE} bash -c ${COPY_SCRIPT}`
  return {
    included: await lines(path.join(c.work, 'present.txt')),
    missing: await lines(path.join(c.work, 'missing.txt')),
    total: Number((await fs.readFile(path.join(c.work, 'total.txt'), 'utf8')).trim()),
  }
}

/** The volumes' folders bound into staging when this machine allows it, else a copy. */
async function stage(c: BackupContext): Promise<{ staged: Staged; how: string }> {
  const { volumes } = c.state!
  const audio = await volumeHostPath(volumes.audio)
  const notes = await volumeHostPath(volumes.notes)
  const bound =
    audio && notes ? await stageByMounts({ audio, notes }, c.wanted!, c.staging) : undefined
  return bound
    ? { staged: bound, how: 'read in place (read-only bind mounts)' }
    : { staged: await copyFiles(c), how: 'copied' }
}

export const files = defineStep<BackupContext>({
  name: 'files',
  changes: true,
  skip: (c) => (c.bucket ? 'STORAGE=s3: the objects step reads the bucket' : false),
  plan: (c) =>
    `take the files the dump references from ${c.project}_audio and ${c.project}_notes (read-only)`,
  run: async (c) => {
    const { staged, how } = await stage(c)
    if (staged.missing.length)
      throw new StopError(
        `${staged.missing.length} file(s) the database references are not in the volumes: ${staged.missing.slice(0, 3).join(', ')}`,
        'they were lost before this backup; see RUNBOOK.md#backups (restore them from an older snapshot)'
      )
    c.included = staged.included
    const later = staged.total - staged.included.length
    return `${staged.included.length} files ${how}${later > 0 ? `; ${later} written after the dump began, left for the next backup` : ''}`
  },
})
