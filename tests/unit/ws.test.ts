import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'
import { LiveEventSchema } from '../../api/src/contract/live.ts'

type Event = { type: string; recording_id?: string; note_id?: string; at?: string }

/** Messages the contract's LiveEventSchema does not describe, from every socket of the file. */
const offContract: string[] = []

/** A socket that keeps every message it receives, with their arrival times. */
async function openSocket(base: string, token: string) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?access_token=${token}`)
  const events: (Event & { receivedAt: number })[] = []
  ws.on('message', (data) => {
    const text = String(data)
    if (!text.startsWith('{')) return
    if (!LiveEventSchema.safeParse(JSON.parse(text)).success) offContract.push(text)
    events.push({ ...(JSON.parse(text) as Event), receivedAt: Date.now() })
  })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`))
    )
    ws.once('error', reject)
  })
  await waitFor(() => events.some((e) => e.type === 'hello'))
  return { ws, events }
}

async function waitFor(check: () => boolean, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('websocket: live events', () => {
  let h: Harness
  let base: string
  beforeAll(async () => {
    h = await createHarness()
    base = await h.listen()
  })
  afterAll(async () => {
    await h.close()
    expect(offContract).toEqual([])
  })

  it('should push note.ready to every socket of the owner within a second of the commit, and to nobody else', async () => {
    const a = await h.addUser('a@example.org')
    const b = await h.addUser('b@example.org')
    const phone = await openSocket(base, a.token)
    const desktop = await openSocket(base, a.token)
    const other = await openSocket(base, b.token)

    const { id } = (await (await h.upload(a.token, await consultationWav())).json()) as {
      id: string
    }
    await waitFor(() =>
      [phone, desktop].every((s) => s.events.some((e) => e.type === 'note.ready'))
    )

    for (const s of [phone, desktop]) {
      const types = s.events.filter((e) => e.recording_id === id).map((e) => e.type)
      expect(types).toEqual([
        'recording.queued',
        'recording.transcribing',
        'recording.transcribed',
        'note.ready',
      ])
      const ready = s.events.find((e) => e.type === 'note.ready')!
      const [note] = await h.db.query<{ created_at: Date }>(
        'SELECT created_at FROM notes WHERE id = $1',
        [ready.note_id]
      )
      expect(ready.receivedAt - note!.created_at.getTime()).toBeLessThan(1_000)
    }
    // Give a stray event time to arrive before concluding that none did.
    await new Promise((r) => setTimeout(r, 300))
    expect(other.events.map((e) => e.type)).toEqual(['hello'])
    for (const s of [phone, desktop, other]) s.ws.close()
  })

  it('should refuse a socket without a valid token', async () => {
    await expect(openSocket(base, 'not-a-token')).rejects.toThrow(/401/)
    const res = await fetch(`${base}/ws`)
    expect(res.status).toBe(401)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED')
  })
})
