// What one backup run knows: its settings, and what each step found for the next.
import { hostname } from 'node:os'
import { path } from 'zx'
import { createContext } from '../../lib/context.ts'
import type { OpsContext } from '../../lib/context.ts'
import type { Manifest } from '../../lib/manifest.ts'
import { fromRoot } from '../../lib/paths.ts'
import { openBucket } from '../../lib/object-store.ts'
import type { Bucket } from '../../lib/object-store.ts'
import { createRestic } from '../../lib/restic.ts'
import type { BackupEnv, BackupSummary, Restic } from '../../lib/restic.ts'
import type { StackState } from '../../lib/volumes.ts'

export const DB_DUMP = 'db/scribe.dump'
export { TAG } from '../../lib/snapshots.ts'
import { TAG } from '../../lib/snapshots.ts'
/** The columns whose values name the files a backup must hold. */
export const REFERENCED = [
  'public.recordings.audio_path',
  'public.note_versions.json_path',
  'public.note_versions.markdown_path',
] as const

export const workDir = (project: string): string => fromRoot('build', 'backup', project)
export const lockFile = (project: string): string => fromRoot('build', 'backup', `${project}.lock`)

export type BackupContext = OpsContext & {
  project: string
  env: BackupEnv
  restic: Restic
  tags: string[]
  /** Set when the caller (a restore taking its safety backup) already holds the lock. */
  lockHeld: boolean
  /** A safety backup keeps what there is: files the database names but that are lost are noted. */
  partial: boolean
  /** The bucket with STORAGE=s3; undefined when the files are in the volumes. */
  bucket?: Bucket
  /** A clear copy of patient data: mode 700, removed at the end of the run. */
  staging: string
  work: string
  // Filled in by the steps, in order.
  state?: StackState
  tables?: Record<string, number>
  wanted?: string[]
  /** The volume files in this backup (`audio/…`, `notes/…`), as staged. */
  included?: string[]
  /** STORAGE=s3: how many objects were downloaded into the mirror and how many reused. */
  mirrored?: { downloaded: number; reused: number }
  manifest?: Manifest
  result?: BackupSummary
}

export function createBackupContext(o: {
  project: string
  env: BackupEnv
  dryRun: boolean
  tags?: string[]
  lockHeld?: boolean
  partial?: boolean
}): BackupContext {
  const base = workDir(o.project)
  const bucket = openBucket(o.env)
  return {
    ...(bucket ? { bucket } : {}),
    partial: o.partial ?? false,
    ...createContext({ dryRun: o.dryRun }),
    project: o.project,
    env: o.env,
    restic: createRestic(o.env),
    tags: [TAG, `project=${o.project}`, `host=${hostname()}`, ...(o.tags ?? [])],
    lockHeld: o.lockHeld ?? false,
    staging: path.join(base, 'staging'),
    work: path.join(base, 'work'),
  }
}
