import type { Silence } from './silence.ts'

/** One piece of the recording, in sample frames: [start, end). */
export type ChunkSpan = { start: number; end: number }

/**
 * Cuts `totalFrames` into chunks of at most `maxFrames`, each cut in the latest pause that
 * falls in the second half of the allowed length (so chunks stay long and few); without a
 * pause there, it cuts at the hard limit. Cuts land in the middle of the pause's part inside
 * the window, so no word is split when a pause exists.
 */
export function planChunks(args: {
  totalFrames: number
  maxFrames: number
  silences: readonly Silence[]
  /** The earliest a cut may come, as a share of `maxFrames`. Default 0.5. */
  minShare?: number
}): ChunkSpan[] {
  const { totalFrames, silences } = args
  const maxFrames = Math.max(1, Math.floor(args.maxFrames))
  const minFrames = Math.max(1, Math.floor(maxFrames * (args.minShare ?? 0.5)))
  const chunks: ChunkSpan[] = []
  let start = 0
  let next = 0 // index of the first silence that may still matter
  while (totalFrames - start > maxFrames) {
    const lo = start + minFrames
    const hi = start + maxFrames
    while (next < silences.length && silences[next]!.end <= lo) next++
    let cut = hi
    for (let i = next; i < silences.length && silences[i]!.start < hi; i++) {
      const s = silences[i]!
      if (s.end > lo) cut = Math.floor((Math.max(s.start, lo) + Math.min(s.end, hi)) / 2)
    }
    chunks.push({ start, end: cut })
    start = cut
  }
  chunks.push({ start, end: totalFrames })
  return chunks
}
