import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defineDrill } from '../lib/drill.ts'
import {
  expectCleanStop,
  ops,
  removeDir,
  restic,
  scratchDir,
  stackSettings,
} from '../lib/operator.ts'

let dir = ''
const OTHER = 'another-clinic'

export default defineDrill({
  name: 'restore-other-project',
  title: 'operator fault: make restore of a snapshot from another project',
  hypothesis:
    "make restore of a snapshot taken of another stack stops before anything changes, names both projects in one line and says how to move data on purpose; this stack's patients are not replaced.",
  fault: `make restore --snapshot <id> --yes, the snapshot tagged project=${OTHER}`,
  workload: false,
  recoverWithinMs: 30_000,
  async method(ctx) {
    dir = await scratchDir('restore-other')
    const password = join(dir, 'password')
    const settings = stackSettings(ctx.target, {
      RESTIC_REPOSITORY: join(dir, 'repo'),
      RESTIC_PASSWORD_FILE: password,
    })
    await writeFile(password, 'chaos-drill-password\n', { mode: 0o600 })
    await restic(['init'], settings)
    // Another clinic's snapshot as make backup tags it: an empty stack's manifest, no files.
    const snap = join(dir, 'snapshot')
    await mkdir(snap)
    const manifest = { project: OTHER, createdAt: new Date().toISOString(), files: [], tables: {} }
    await writeFile(join(snap, 'manifest.json'), JSON.stringify(manifest))
    await restic(['backup', '--tag', `medic-scribe,project=${OTHER}`, snap], settings)
    const [other] = JSON.parse(
      await restic(['snapshots', '--json', '--tag', `project=${OTHER}`], settings)
    ) as { short_id: string }[]
    const id = other!.short_id
    ctx.faultIn(`make restore --snapshot ${id} (of ${OTHER}) --yes`)
    await expectCleanStop(
      ctx,
      () => ops('restore.ts', ['--snapshot', id, '--yes'], settings),
      new RegExp(`is of the project ${OTHER}, not ${ctx.target.info.projectName}`)
    )
  },
  rollbacks: [{ name: 'remove the scratch repository', run: () => removeDir(dir) }],
})
