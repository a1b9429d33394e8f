import { randomBytes } from 'node:crypto'
import { $, fs, path } from 'zx'
import { childEnv, loadOpsEnv } from './env.ts'
import type { OpsEnv } from './env.ts'
import { StopError } from './errors.ts'
import { fromRoot } from './paths.ts'

// Debian's restic (0.14 on bookworm, 0.18 on trixie) runs on the host and reads a staging
// folder: one binary, no image to build, and its cache and locks live where the operator is.

export type BackupEnv = OpsEnv & { backendEnv: Record<string, string> }

// What restic's backends read (S3, B2, Azure, GCS, Swift, rclone, REST): passed through.
const BACKEND_VARS = /^(RESTIC_|AWS_|B2_|AZURE_|GOOGLE_|OS_|ST_|RCLONE_)/

/** The operator's settings (ops/lib/env.ts) with the repository resolved and restic's own. */
export async function loadBackupEnv(): Promise<BackupEnv> {
  return backupEnvFrom(await loadOpsEnv())
}

export function backupEnvFrom(env: OpsEnv): BackupEnv {
  const backendEnv = Object.fromEntries(
    Object.entries(env.raw).filter(([k]) => BACKEND_VARS.test(k))
  )
  const repo = env.RESTIC_REPOSITORY.includes(':')
    ? env.RESTIC_REPOSITORY
    : path.resolve(fromRoot(), env.RESTIC_REPOSITORY)
  return {
    ...env,
    RESTIC_REPOSITORY: repo,
    backendEnv: {
      ...backendEnv,
      RESTIC_REPOSITORY: repo,
      RESTIC_PASSWORD_FILE: env.RESTIC_PASSWORD_FILE,
    },
  }
}

export type Restic = ReturnType<typeof createRestic>
export type Snapshot = {
  id: string
  short_id: string
  time: string
  paths: string[]
  tags?: string[]
  hostname: string
}
export type BackupSummary = {
  files_new: number
  files_changed: number
  files_unmodified: number
  data_added: number
  total_files_processed: number
  total_bytes_processed: number
  total_duration: number
  snapshot_id: string
}
export type Status = {
  percent_done: number
  total_files?: number
  files_done?: number
  total_bytes?: number
  bytes_done?: number
}
export type ForgetGroup = {
  tags: string[] | null
  keep: Snapshot[] | null
  remove: Snapshot[] | null
}

export function createRestic(env: BackupEnv) {
  // Moving a repository's data can take hours; the quick queries below set shorter limits.
  const opts = { env: childEnv(env.backendEnv), quiet: true, timeout: '360m' as const }
  // Every restic command line starts with these (the sftp command, when one is set).
  const o = env.RESTIC_SFTP_COMMAND ? ['-o', `sftp.command=${env.RESTIC_SFTP_COMMAND}`] : []
  const r = $(opts)
  return {
    repository: env.RESTIC_REPOSITORY,
    passwordFile: env.RESTIC_PASSWORD_FILE,

    /** Creates the password file (random, mode 600) when missing; true when it did. */
    async ensurePassword(dryRun: boolean): Promise<boolean> {
      if (await fs.pathExists(env.RESTIC_PASSWORD_FILE)) return false
      if (dryRun) return true
      await fs.mkdirp(path.dirname(env.RESTIC_PASSWORD_FILE), { mode: 0o700 })
      const pw = randomBytes(32).toString('base64url')
      await fs.writeFile(env.RESTIC_PASSWORD_FILE, `${pw}\n`, { mode: 0o600, flag: 'wx' })
      return true
    },

    async requirePassword(): Promise<void> {
      if (!(await fs.pathExists(env.RESTIC_PASSWORD_FILE)))
        throw new StopError(
          `no repository password file at ${env.RESTIC_PASSWORD_FILE}`,
          'restore it from where you stored it (see RUNBOOK.md#backups), or set RESTIC_PASSWORD_FILE'
        )
    },

    async exists(): Promise<boolean> {
      return (await r`restic ${o} cat config`.nothrow().timeout('120s')).ok
    },

    async init(): Promise<void> {
      if (!env.RESTIC_REPOSITORY.includes(':')) await fs.mkdirp(env.RESTIC_REPOSITORY)
      await r`restic ${o} init`.timeout('120s')
    },

    /** `restic backup --json` of `dir` (paths in the snapshot relative to it). */
    /**
     * `restic backup --json` of `dir` (paths in the snapshot relative to it), or of only the
     * files listed (relative to `dir`) with `filesFrom`. With a list, the snapshot's paths differ
     * from one backup to the next, so restic would find no parent by itself: `parent` names it.
     */
    async backup(
      dir: string,
      tags: string[],
      onProgress: (s: Status) => void,
      o2: { filesFrom?: string; parent?: string } = {}
    ): Promise<BackupSummary> {
      const tagArgs = tags.flatMap((t) => ['--tag', t])
      const what = o2.filesFrom ? ['--files-from-verbatim', o2.filesFrom] : ['.']
      const parent = o2.parent ? ['--parent', o2.parent] : []
      // Files are immutable once renamed into place and tar keeps their mtime, so size+mtime
      // is enough to skip re-reading them (a copied staging folder is rebuilt: inodes change).
      const proc = $({
        ...opts,
        cwd: dir,
      })`restic ${o} backup --json --ignore-inode --ignore-ctime ${tagArgs} ${parent} ${what}`
      let summary: BackupSummary | undefined
      for await (const line of proc) {
        if (!line.startsWith('{')) continue
        const msg = JSON.parse(line) as { message_type: string } & Status & BackupSummary
        if (msg.message_type === 'status') onProgress(msg)
        if (msg.message_type === 'summary') summary = msg
      }
      await proc
      if (!summary) throw new StopError('restic backup printed no summary', 'run it again')
      return summary
    },

    async snapshots(tags: string[] = []): Promise<Snapshot[]> {
      const tagArgs = tags.flatMap((t) => ['--tag', t])
      const out = await r`restic ${o} snapshots --json ${tagArgs}`.timeout('120s')
      return (JSON.parse(out.stdout || '[]') as Snapshot[] | null) ?? []
    },

    /** `restic check`, with every pack read when `readData`; the output lines, ok or not. */
    async check(readData: boolean): Promise<{ ok: boolean; lines: string[] }> {
      const out = await r`restic ${o} check ${readData ? ['--read-data'] : []}`.nothrow()
      return { ok: out.ok, lines: `${out.stdout}\n${out.stderr}`.split('\n').filter(Boolean) }
    },

    /** The files whose data is in a pack, to name what a damaged pack breaks. */
    async filesInPack(pack: string): Promise<string[]> {
      const out = await r`restic ${o} find --pack ${pack}`.nothrow()
      const files = out.stdout
        .split('\n')
        .map((l) => /^\s*\.\.\. in file (.+)$/.exec(l)?.[1]?.replace(/^\//, ''))
        .filter((f): f is string => !!f)
      return [...new Set(files)]
    },

    async dump(id: string, file: string): Promise<string> {
      return (await r`restic ${o} dump ${id} ${file}`.timeout('300s')).stdout
    },

    async restore(id: string, target: string): Promise<{ ok: boolean; errors: string[] }> {
      const out = await r`restic ${o} restore ${id} --target ${target}`.nothrow()
      return {
        ok: out.ok,
        errors: out.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('restoring')),
      }
    },

    async forget(
      keep: { daily: number; weekly: number; monthly: number },
      tags: string[],
      dryRun: boolean
    ): Promise<ForgetGroup[]> {
      const out =
        await r`restic ${o} forget --json ${tags.flatMap((t) => ['--tag', t])} --keep-daily ${keep.daily} --keep-weekly ${keep.weekly} --keep-monthly ${keep.monthly} ${dryRun ? ['--dry-run'] : []}`
      return (JSON.parse(out.stdout || '[]') as ForgetGroup[] | null) ?? []
    },

    async prune(): Promise<string> {
      const out = await r`restic ${o} prune`
      return out.stdout
    },

    async stats(): Promise<string> {
      return (await r`restic ${o} stats --mode raw-data`.nothrow()).stdout
    },
  }
}

export const formatBytes = (n: number): string => {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000
    i++
  }
  return `${n < 10 && i > 0 ? n.toFixed(1) : Math.round(n)} ${units[i]}`
}
