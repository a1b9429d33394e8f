// Node.js end-of-life dates, kept in the code so the check works offline. Source: the Node.js
// release schedule (https://github.com/nodejs/Release#release-schedule); even majors get 30
// months, odd majors about 8. Add a line when a new major ships.
export const NODE_EOL: Record<number, string> = {
  18: '2025-04-30',
  19: '2023-06-01',
  20: '2026-04-30',
  21: '2024-06-01',
  22: '2027-04-30',
  23: '2025-06-01',
  24: '2028-04-30',
  25: '2026-06-01',
  26: '2029-04-30',
  27: '2027-06-01',
}

/** Warn this many days before the end of life, so an upgrade is planned, not rushed. */
export const NODE_EOL_WARN_DAYS = 90

export type NodeEolVerdict =
  | { state: 'supported'; major: number; eol: string; daysLeft: number }
  | { state: 'ending'; major: number; eol: string; daysLeft: number }
  | { state: 'ended'; major: number; eol: string; daysLeft: number }
  | { state: 'unknown'; major: number | undefined }

const DAY_MS = 86_400_000

/** `v24.11.0` against today's date (YYYY-MM-DD). */
export function judgeNodeVersion(version: string, today: string): NodeEolVerdict {
  const major = Number(version.match(/^v?(\d+)\./)?.[1])
  if (!Number.isInteger(major)) return { state: 'unknown', major: undefined }
  const eol = NODE_EOL[major]
  if (!eol) return { state: 'unknown', major }
  const daysLeft = Math.floor((Date.parse(eol) - Date.parse(today)) / DAY_MS)
  if (daysLeft < 0) return { state: 'ended', major, eol, daysLeft }
  if (daysLeft <= NODE_EOL_WARN_DAYS) return { state: 'ending', major, eol, daysLeft }
  return { state: 'supported', major, eol, daysLeft }
}
