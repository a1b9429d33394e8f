// make backup, as a pipeline: lock, repository, volumes, database dump, the files it references
// (from the volumes, or with STORAGE=s3 the objects, mirrored), the manifest, restic, then the heartbeat the monitor watches; the staging copy is removed whatever happens.
import { runPipeline } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import type { Manifest } from '../../lib/manifest.ts'
import type { BackupEnv, BackupSummary } from '../../lib/restic.ts'
import { createBackupContext, lockFile } from './context.ts'
import type { BackupContext } from './context.ts'
import { dump } from './dump.ts'
import { files } from './files.ts'
import { heartbeat } from './heartbeat.ts'
import { manifest } from './manifest.ts'
import { objects } from './objects.ts'
import { repository } from './repository.ts'
import { cleanup, store } from './store.ts'
import { volumes } from './volumes.ts'

export const backupPipeline: Pipeline<BackupContext> = {
  name: 'backup',
  // The lock comes first: two runs started together (a timer and an operator) must not both
  // create the password file or the repository, nor share the staging folder.
  lock: (c) =>
    c.lockHeld ? undefined : { file: lockFile(c.project), holder: `backup of ${c.project}` },
  steps: [repository, volumes, dump, files, objects, manifest, store, heartbeat],
  always: [cleanup],
}

export type BackupResult = { snapshotId: string; manifest: Manifest; summary: BackupSummary }

/** One backup; undefined in a dry run. */
export async function runBackup(o: {
  project: string
  env: BackupEnv
  dryRun: boolean
  tags?: string[]
  lockHeld?: boolean
  partial?: boolean
}): Promise<BackupResult | undefined> {
  const ctx = createBackupContext(o)
  await runPipeline(backupPipeline, ctx)
  if (o.dryRun || !ctx.result) return undefined
  return { snapshotId: ctx.result.snapshot_id, manifest: ctx.manifest!, summary: ctx.result }
}
