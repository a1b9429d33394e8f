import type { Database } from '../store/database.ts'
import type { FileStore } from '../files/file-store.ts'
import type { Logger } from '../lib/logger.ts'
import type { Clock } from '../lib/clock.ts'

/**
 * A crash between renaming an upload into place and committing its row leaves an audio file
 * nobody acknowledged. At start, such files older than `minAgeMs` (so uploads in progress on
 * another replica are left alone) are moved to `.orphans/` for an operator, never deleted.
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
