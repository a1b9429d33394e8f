import type { UploadRecord } from './upload.ts'

/** "202", "507 INSUFFICIENT_STORAGE", "connection: …": how often each upload answer came. */
export function tallyAnswers(records: UploadRecord[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const a of records.flatMap((r) => r.attempts)) {
    const key = a.error
      ? `connection: ${a.error.replace(/^\w*Error: /, '').slice(0, 60)}`
      : `${a.status}${a.code ? ` ${a.code}` : ''}`
    out[key] = (out[key] ?? 0) + 1
  }
  return out
}
