import type { Database } from '../store/database.ts'
import type { FileStore } from '../files/file-store.ts'
import type { Logger } from '../lib/logger.ts'
import type { Clock } from '../lib/clock.ts'

/**
 * A crash between renaming an upload into place and committing its row leaves an audio file
 * nobody acknowledged. Such files older than `minAgeMs` (so uploads in progress on this or
 * another replica are left alone) are moved to `.orphans/` for an operator, never deleted. A
 * file whose row exists is committed, whatever its age, and is never touched.
 */
export async function sweepOrphanAudio(
  deps: { db: Database; files: FileStore; logger: Logger; clock: Clock },
  minAgeMs = 60 * 60_000
): Promise<string[]> {
  const cutoff = deps.clock.now() - minAgeMs
  const candidates = (await deps.files.list('audio')).filter((f) => f.modifiedAt < cutoff)
  if (candidates.length === 0) return []
  const known = new Set(
    (
      await deps.db.query<{ audio_path: string }>(
        'SELECT audio_path FROM recordings WHERE audio_path = ANY($1::text[])',
        [candidates.map((c) => c.path)]
      )
    ).map((r) => r.audio_path)
  )
  const orphans = candidates.filter((c) => !known.has(c.path)).map((c) => c.path)
  for (const path of orphans) await deps.files.quarantine('audio', path)
  if (orphans.length)
    deps.logger.warn('moved unacknowledged audio files to .orphans/', {
      count: orphans.length,
      orphans,
    })
  return orphans
}

export type OrphanSweeper = {
  /** Resolves after the sweep in progress, if any, has finished. */
  stop(): Promise<void>
}

/**
 * Runs the sweep now and then every `intervalMs` (0: only now), one at a time: the orphan audio
 * files, and, on a store that has them (object storage), temporary objects and multipart uploads
 * older than `tmpStaleMs`. A replica that runs for months still cleans up after a crashed peer.
 * A failing sweep (the store is down) is logged and tried again at the next interval.
 */
export function startOrphanSweeper(
  deps: { db: Database; files: FileStore; logger: Logger; clock: Clock },
  o: { intervalMs: number; minAgeMs: number; tmpStaleMs: number }
): OrphanSweeper {
  let timer: ReturnType<typeof setTimeout> | undefined
  let running: Promise<void> | undefined
  let stopped = false
  const once = async () => {
    try {
      await sweepOrphanAudio(deps, o.minAgeMs)
      const swept = await deps.files.sweepTemp?.(o.tmpStaleMs)
      if (swept && swept.removed.length + swept.aborted.length > 0)
        deps.logger.info('removed abandoned temporary uploads', {
          removed: swept.removed.length,
          aborted: swept.aborted.length,
        })
    } catch (err) {
      deps.logger.warn('orphan sweep failed; retried at the next interval', {
        error: String(err),
      })
    }
  }
  const schedule = () => {
    if (stopped || o.intervalMs <= 0) return
    timer = setTimeout(() => {
      running = once().finally(schedule)
    }, o.intervalMs)
    timer.unref?.()
  }
  schedule()
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
