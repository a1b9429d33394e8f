// What one restore knows: its settings, and what each step found for the next.
import { path } from 'zx'
import { createContext } from '../../lib/context.ts'
import type { OpsContext } from '../../lib/context.ts'
import type { Difference, Manifest } from '../../lib/manifest.ts'
import { openBucket } from '../../lib/object-store.ts'
import type { Bucket } from '../../lib/object-store.ts'
import { createRestic } from '../../lib/restic.ts'
import type { BackupEnv, Restic, Snapshot } from '../../lib/restic.ts'
import type { StackState } from '../../lib/volumes.ts'
import { workDir } from '../backup/context.ts'

export type RestoreContext = OpsContext & {
  env: BackupEnv
  restic: Restic
  project: string
  snapshotId?: string
  /** The project the snapshot is of, when it is not `project` (a move between stacks). */
  fromProject?: string
  yes: boolean
  /** The snapshot restored and checked here first: clear patient data, always removed. */
  scratch: string
  /** The throwaway volume holding `scratch`, when it lives beside the stack's volumes. */
  scratchVolume?: string
  snap?: Snapshot
  manifest?: Manifest
  state?: StackState
  diffs: Difference[]
  safety?: string
  apiWasRunning: boolean
  /** Set once the stack's data starts changing: a failure after it needs the safety backup. */
  changing: boolean
  /** The bucket with STORAGE=s3: the objects are put back there instead of the volumes. */
  bucket?: Bucket
}

export function createRestoreContext(o: {
  env: BackupEnv
  project: string
  snapshotId?: string
  fromProject?: string
  yes: boolean
  dryRun: boolean
}): RestoreContext {
  const bucket = openBucket(o.env)
  return {
    ...(bucket ? { bucket } : {}),
    ...createContext({ dryRun: o.dryRun }),
    env: o.env,
    restic: createRestic(o.env),
    project: o.project,
    ...(o.snapshotId ? { snapshotId: o.snapshotId } : {}),
    ...(o.fromProject ? { fromProject: o.fromProject } : {}),
    yes: o.yes,
    scratch: path.join(workDir(o.project), 'restore'),
    diffs: [],
    apiWasRunning: false,
    changing: false,
  }
}
