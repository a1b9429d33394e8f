// The check that matters: every recording acknowledged (202) ends as exactly one note, and the
// audio the stack keeps is byte for byte what was uploaded (its SHA-256).
import { createHash } from 'node:crypto'
import type { Target } from './target.ts'
import type { UploadRecord } from './upload.ts'

export type Tally = {
  attempted: number
  acknowledged: number
  completed: number
  lost: number
  duplicated: number
  refused: number
  gaveUp: number
  unclean: number
  /** One line per recording that is lost or duplicated, saying why. */
  problems: string[]
}

type Rec = { status: string; note_id: string | null; reason: string | null }

async function settle(target: Target, token: string, id: string, until: number) {
  for (;;) {
    const r = await target.json<Rec>(token, `/api/recordings/${id}`).catch(() => undefined)
    if (r && (r.status === 'done' || r.status === 'failed')) return r
    if (Date.now() > until) return r
    await new Promise((res) => setTimeout(res, 500))
  }
}

/** How many notes name each recording, from the clinician's own note list (bounded paging). */
async function notesByRecording(target: Target, token: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  let cursor: string | null = null
  for (let page = 0; page < 30; page++) {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
    const r = await target.json<{ items: { recording_id: string }[]; next_cursor: string | null }>(
      token,
      `/api/notes?limit=100${q}`
    )
    for (const n of r.items) counts.set(n.recording_id, (counts.get(n.recording_id) ?? 0) + 1)
    cursor = r.next_cursor
    if (!cursor) break
  }
  return counts
}

/**
 * The stored audio, read as a client would: the edge's rate limit (429, a clean refusal) is
 * waited out, a bounded number of times, rather than taken for a lost recording.
 */
async function audioOf(target: Target, token: string, id: string) {
  for (let attempt = 0; ; attempt++) {
    const res = await target.request(`/api/recordings/${id}/audio`, {
      headers: { authorization: `Bearer ${token}` },
    })
    if (res.status !== 429 || attempt >= 20) return res
    await res.arrayBuffer()
    const wait = Number(res.headers.get('retry-after') ?? 0) * 1000 || 500 * (attempt + 1)
    await new Promise((r) => setTimeout(r, Math.min(wait, 5_000)))
  }
}

export async function verifyRecordings(
  target: Target,
  token: string,
  records: UploadRecord[],
  settleMs: number
): Promise<Tally> {
  const acknowledged = records.filter((r) => r.outcome === 'acknowledged')
  const problems: string[] = []
  let duplicated = 0
  const until = Date.now() + settleMs
  const settled = await Promise.all(
    acknowledged.map(async (r) => ({ r, rec: await settle(target, token, r.ids[0]!, until) }))
  )
  const notes = await notesByRecording(target, token)
  let completed = 0
  for (const { r, rec } of settled) {
    const id = r.ids[0]!
    if (r.ids.length > 1) {
      duplicated++
      problems.push(`${r.key}: one Idempotency-Key acknowledged as ${r.ids.join(', ')}`)
    }
    const count = notes.get(id) ?? 0
    if (count > 1) {
      duplicated++
      problems.push(`${id}: ${count} notes`)
    }
    if (rec?.status !== 'done' || !rec.note_id || count === 0) {
      problems.push(
        `${id}: acknowledged, ends ${rec?.status ?? 'unreadable'} ${rec?.reason ?? ''} with ${count} note(s)`
      )
      continue
    }
    const res = await audioOf(target, token, id)
    const bytes = new Uint8Array(await res.arrayBuffer())
    const sha = createHash('sha256').update(bytes).digest('hex')
    if (res.status !== 200 || sha !== r.sha256) {
      problems.push(
        `${id}: stored audio ${res.status} sha256 ${sha.slice(0, 12)} != uploaded ${r.sha256.slice(0, 12)}`
      )
      continue
    }
    completed++
  }
  return {
    attempted: records.length,
    acknowledged: acknowledged.length,
    completed,
    lost: acknowledged.length - completed,
    duplicated,
    refused: records.filter((r) => r.outcome === 'refused').length,
    gaveUp: records.filter((r) => r.outcome === 'gave-up').length,
    unclean: records.reduce((n, r) => n + r.unclean.length, 0),
    problems,
  }
}
