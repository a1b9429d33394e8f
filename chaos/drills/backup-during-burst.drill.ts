import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Manifest } from '../../ops/lib/manifest.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import { defineDrill } from '../lib/drill.ts'
import { sleep } from '../lib/faults.ts'
import { ops, removeDir, restic, scratchDir, stackSettings } from '../lib/operator.ts'

let dir = ''

export default defineDrill({
  name: 'backup-during-burst',
  title: 'make backup during a burst of uploads',
  hypothesis:
    'A backup taken while uploads arrive is consistent: every recording acknowledged before it began is in it, every recording row of its database dump has its audio file in it, the snapshot restored to a scratch folder matches its manifest, and the uploads are neither slowed to failure nor lost.',
  fault:
    'make backup (scratch restic repository) while the workload uploads about one recording a second; then make backup-verify',
  recoverWithinMs: 30_000,
  async method({ target, workload, expect, note, faultIn }) {
    dir = await scratchDir('backup-burst')
    const password = join(dir, 'password')
    await writeFile(password, 'chaos-drill-password\n', { mode: 0o600 })
    const settings = stackSettings(target, {
      RESTIC_REPOSITORY: join(dir, 'repo'),
      RESTIC_PASSWORD_FILE: password,
    })
    await sleep(3_000)
    const startedAt = Date.now()
    faultIn('make backup')
    const backup = await ops('backup.ts', [], settings)
    note(`make backup: ${backup.out.trim().split('\n').at(-1)}`)
    expect('make backup succeeds during the burst', backup.code === 0, `exit ${backup.code}`)
    const m = JSON.parse(await restic(['dump', 'latest', '/manifest.json'], settings)) as Manifest
    const audio = m.files.filter((f) => f.path.startsWith('audio/') && !f.path.includes('/.tmp/'))
    const before = workload.records.filter(
      (r) => r.outcome === 'acknowledged' && r.acknowledgedAt! < startedAt
    )
    const missing = before.filter((r) => !audio.some((f) => f.path.includes(r.ids[0]!)))
    expect(
      'every recording acknowledged before the backup is in it',
      before.length > 0 && missing.length === 0,
      `${before.length} acknowledged before, ${missing.length} missing`
    )
    const rows = m.tables['public.recordings'] ?? 0
    expect(
      "every recording row of the snapshot's database has its audio in the snapshot",
      audio.length >= rows,
      `${rows} rows, ${audio.length} audio files`
    )
    const verify = await ops('backup-verify.ts', [], settings)
    expect(
      'the snapshot restored to a scratch folder matches its manifest (make backup-verify)',
      verify.code === 0,
      verify.out.trim().split('\n').at(-1)
    )
  },
  rollbacks: [
    {
      name: 'remove the scratch repository and the backup work folder',
      run: async ({ target }) => {
        await removeDir(dir)
        await removeDir(fromRoot('build', 'backup', target.info.projectName))
      },
    },
  ],
})
