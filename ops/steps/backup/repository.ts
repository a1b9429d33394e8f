import { echo } from 'zx'
import { defineStep } from '../../lib/pipeline.ts'
import type { BackupContext } from './context.ts'

/** The repository and its password file, made on first use (the password shown loudly once). */
export const repository = defineStep<BackupContext>({
  name: 'repository',
  changes: true,
  plan: (c) =>
    `make sure the restic repository ${c.restic.repository} exists (created on first use)`,
  run: async ({ restic }) => {
    if (await restic.ensurePassword(false)) {
      echo(`
  ************************************************************************************
  A new repository password was written to ${restic.passwordFile} (mode 600).
  Store a copy outside this machine NOW (a password manager, a sealed envelope):
  without it, no backup in ${restic.repository} can ever be read.
  ************************************************************************************`)
    }
    if (await restic.exists()) return `${restic.repository} is ready`
    await restic.init()
    return `created a restic repository at ${restic.repository}`
  },
})
