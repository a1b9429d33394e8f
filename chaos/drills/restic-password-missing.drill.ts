import { writeFile } from 'node:fs/promises'
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

export default defineDrill({
  name: 'restic-password-missing',
  title: 'operator fault: the restic password file missing at restore time',
  hypothesis:
    'make restore without the repository password file stops before it touches anything, says in one line which file is missing and where to get it back, and exits non-zero; the stack is unharmed.',
  fault: 'make restore --yes with RESTIC_PASSWORD_FILE naming a file that is gone',
  workload: false,
  recoverWithinMs: 30_000,
  async method(ctx) {
    // A real repository, so the only thing wrong is the missing password file.
    dir = await scratchDir('restic-password')
    const password = join(dir, 'password')
    await writeFile(password, 'chaos-drill-password\n', { mode: 0o600 })
    const settings = stackSettings(ctx.target, {
      RESTIC_REPOSITORY: join(dir, 'repo'),
      RESTIC_PASSWORD_FILE: password,
    })
    await restic(['init'], settings)
    await removeDir(password)
    ctx.faultIn('the password file removed; make restore --yes')
    await expectCleanStop(
      ctx,
      () => ops('restore.ts', ['--yes'], settings),
      /no repository password file at /
    )
  },
  rollbacks: [{ name: 'remove the scratch repository', run: () => removeDir(dir) }],
})
