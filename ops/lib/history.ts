// The deploy history: one JSON line per deploy or rollback, kept on the target (a volume, see
// ops/lib/target-state.ts) so every operator and machine that deploys to it sees the same list.
import { z } from 'zod'
import { formatSeconds } from './step.ts'

export const HistoryEntrySchema = z.object({
  kind: z.enum(['deploy', 'rollback']),
  version: z.string(),
  /** What was live before; the version a failed run went back to. */
  previous: z.string().nullable(),
  result: z.enum(['ok', 'rolled-back', 'failed']),
  reason: z.string().optional(),
  who: z.string(),
  at: z.string(),
  seconds: z.number(),
})
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>

/** Parses history.jsonl, oldest first; a damaged line is skipped, not fatal. */
export function parseHistory(text: string): { entries: HistoryEntry[]; skipped: number } {
  const entries: HistoryEntry[] = []
  let skipped = 0
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    try {
      const parsed = HistoryEntrySchema.safeParse(JSON.parse(line))
      if (parsed.success) entries.push(parsed.data)
      else skipped++
    } catch {
      skipped++
    }
  }
  return { entries, skipped }
}

export const historyLine = (entry: HistoryEntry): string =>
  `${JSON.stringify(HistoryEntrySchema.parse(entry))}\n`

/** A table, newest first, for `make deploy-history`. */
export function formatHistory(entries: HistoryEntry[], limit = 20): string {
  if (entries.length === 0) return 'no deploys recorded on this target yet'
  const rows = entries
    .slice(-limit)
    .reverse()
    .map((e) => [
      e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      e.kind,
      e.version,
      e.previous ?? '-',
      e.result,
      formatSeconds(e.seconds),
      e.who,
      e.reason ?? '',
    ])
  const head = ['when (UTC)', 'kind', 'version', 'from', 'result', 'took', 'who', 'why']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(head), ...rows.map(line)].join('\n')
}
