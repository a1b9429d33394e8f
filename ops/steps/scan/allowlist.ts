// The reviewed exceptions (ops/scan/allowlist.yml): each entry names a finding id (and
// optionally its target), says why it is accepted and until when. An entry past its expiry
// covers nothing and is itself a finding, so an exception is re-read rather than forgotten.
import { parse } from 'yaml'
import { z } from 'zod'
import { StopError } from '../../lib/errors.ts'
import type { Finding } from './findings.ts'

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')

export const AllowlistEntrySchema = z
  .object({
    id: z.string().min(1),
    /** Narrows the entry to one target; without it, every target of that id. */
    target: z.string().min(1).optional(),
    reason: z.string().min(10, 'say why, in a sentence'),
    expires: z.union([isoDate, z.date().transform((d) => d.toISOString().slice(0, 10))]),
  })
  .strict()
export type AllowlistEntry = z.infer<typeof AllowlistEntrySchema>

export const AllowlistSchema = z.object({ entries: z.array(AllowlistEntrySchema).default([]) })

/** Parses the file's text; a bad entry stops the scan with one line naming it. */
export function parseAllowlist(text: string, file: string): AllowlistEntry[] {
  const parsed = AllowlistSchema.safeParse(parse(text) ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new StopError(
      `bad allowlist entry at ${issue?.path.join('.')}: ${issue?.message}`,
      `fix ${file}: each entry needs id, reason and expires (YYYY-MM-DD)`
    )
  }
  return parsed.data.entries
}

/** An entry is live through the end of its expiry day (UTC). */
export const isExpired = (e: AllowlistEntry, today: string): boolean => e.expires < today

const covers = (e: AllowlistEntry, f: Finding): boolean =>
  e.id === f.id && (e.target === undefined || e.target === f.target)

/**
 * Marks the findings live entries cover, and adds one finding per expired entry. `today` is
 * YYYY-MM-DD (UTC). Also returns the live entries that matched nothing (stale, worth removing).
 */
export function applyAllowlist(
  findings: Finding[],
  entries: AllowlistEntry[],
  today: string
): { findings: Finding[]; unused: AllowlistEntry[] } {
  const live = entries.filter((e) => !isExpired(e, today))
  const used = new Set<AllowlistEntry>()
  const marked = findings.map((f) => {
    const entry = live.find((e) => covers(e, f))
    if (!entry) return f
    used.add(entry)
    return { ...f, allowlisted: { reason: entry.reason, expires: entry.expires } }
  })
  const expired: Finding[] = entries
    .filter((e) => isExpired(e, today))
    .map((e) => ({
      id: 'allowlist.expired',
      target: e.target ? `${e.id} @ ${e.target}` : e.id,
      source: 'allowlist',
      severity: 'medium',
      title: `allowlist entry expired on ${e.expires} (reason was: ${e.reason})`,
      fix: 'fix the finding, or review the reason and move the expiry date',
    }))
  return { findings: [...marked, ...expired], unused: live.filter((e) => !used.has(e)) }
}
