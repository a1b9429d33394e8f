import { $, fs, path } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { BASE_IMAGE } from '../../lib/images.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { sameFilesystem, volumeHostPath } from '../../lib/volumes.ts'
import type { BackupContext } from './context.ts'
import { linkFiles } from './link.ts'

// Copies the referenced files (and .orphans/) out of the volumes, as root in a throwaway
// container, then hands them to the invoking user so restic need not run as root. Used when the
// volumes cannot be linked from (a remote engine, not root, another filesystem).
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
async function copyFiles(
  c: BackupContext
): Promise<{ present: number; missing: string[]; total: number }> {
  const { volumes } = c.state!
  await fs.writeFile(path.join(c.work, 'wanted.txt'), c.wanted!.map((p) => `${p}\n`).join(''))
  const owner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`
  await $({
    quiet: true,
    timeout: '120m',
  })`docker run --rm --network none -e OWNER=${owner} -v ${volumes.audio}:/data/audio:ro -v ${volumes.notes}:/data/notes:ro -v ${c.staging}:/out -v ${c.work}:/work ${BASE_IMAGE} bash -c ${COPY_SCRIPT}`
  return {
    present: (await lines(path.join(c.work, 'present.txt'))).length,
    missing: await lines(path.join(c.work, 'missing.txt')),
    total: Number((await fs.readFile(path.join(c.work, 'total.txt'), 'utf8')).trim()),
  }
}

/** The volumes' own folders, when the files can be hard-linked from them into staging. */
async function linkable(c: BackupContext): Promise<{ audio: string; notes: string } | undefined> {
  const { volumes } = c.state!
  const audio = await volumeHostPath(volumes.audio)
  const notes = await volumeHostPath(volumes.notes)
  if (!audio || !notes || !(await sameFilesystem(c.staging, audio, notes))) return undefined
  return { audio, notes }
}

export const files = defineStep<BackupContext>({
  name: 'files',
  changes: true,
  plan: (c) =>
    `take the files the dump references from ${c.project}_audio and ${c.project}_notes (read-only)`,
  run: async (c) => {
    const hosts = await linkable(c)
    const got = hosts ? await linkFiles(hosts, c.wanted!, c.staging) : await copyFiles(c)
    if (got.missing.length)
      throw new StopError(
        `${got.missing.length} file(s) the database references are not in the volumes: ${got.missing.slice(0, 3).join(', ')}`,
        'they were lost before this backup; see RUNBOOK.md#backups (restore them from an older snapshot)'
      )
    const later = got.total - got.present
    return `${got.present} files ${hosts ? 'linked from the volumes' : 'copied'}${later > 0 ? `; ${later} written after the dump began, left for the next backup` : ''}`
  },
})
