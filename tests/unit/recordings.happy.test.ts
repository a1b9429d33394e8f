import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'
import type { Note } from '../../api/src/contract/notes.ts'

describe('recordings: upload to note', () => {
  let h: Harness
  let doc: Awaited<ReturnType<Harness['addUser']>>
  let wav: Uint8Array

  beforeAll(async () => {
    h = await createHarness()
    doc = await h.addUser('doc@example.org')
    wav = await consultationWav()
  })
  afterAll(() => h.close())

  it('should acknowledge an upload with 202, then end it as a soap.v1 note', async () => {
    const res = await h.upload(doc.token, wav, {
      patient_ref: 'MRN-0042',
      template: 'soap',
      language: 'en',
    })
    expect(res.status).toBe(202)
    const ack = (await res.json()) as { id: string; status: string }
    expect(ack.status).toBe('queued')

    const done = await h.settle(doc.token, ack.id)
    expect(done.status).toBe('done')
    expect(done.note_id).toBeTruthy()

    const note = (await (
      await h.request(`/api/notes/${done.note_id}`, { headers: doc.auth })
    ).json()) as Note
    expect(note.schema_version).toBe('soap.v1')
    expect(note.recording_id).toBe(ack.id)
    expect(note.version).toBe(1)
    expect(note.patient_ref).toBe('MRN-0042')
    expect(note.provenance.writer).toBe('extractive')
    expect(JSON.stringify(note.sections.objective)).toContain('150/95')
    expect(note.sections.plan!.items[0]?.evidence[0]?.utterance_id).toMatch(/^u\d+$/)
  })

  it('should store the audio with its SHA-256 and serve it back with range support', async () => {
    const res = await h.upload(doc.token, wav)
    const { id } = (await res.json()) as { id: string }
    const [row] = await h.db.query<{ sha256: string; size_bytes: number }>(
      'SELECT sha256, size_bytes::int AS size_bytes FROM recordings WHERE id = $1',
      [id]
    )
    const expected = Buffer.from(
      await crypto.subtle.digest('SHA-256', wav as Uint8Array<ArrayBuffer>)
    ).toString('hex')
    expect(row?.sha256).toBe(expected)
    expect(row?.size_bytes).toBe(wav.byteLength)

    const whole = await h.request(`/api/recordings/${id}/audio`, { headers: doc.auth })
    expect(whole.status).toBe(200)
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(wav)

    const part = await h.request(`/api/recordings/${id}/audio`, {
      headers: { ...doc.auth, range: 'bytes=10-19' },
    })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${wav.byteLength}`)
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(wav.subarray(10, 20))

    const bad = await h.request(`/api/recordings/${id}/audio`, {
      headers: { ...doc.auth, range: `bytes=${wav.byteLength + 5}-` },
    })
    expect(bad.status).toBe(416)
  })

  it('should treat a retried upload with the same Idempotency-Key as the same recording', async () => {
    const key = `retry-${crypto.randomUUID()}`
    const before = await h.rowCounts()
    const first = (await (
      await h.upload(doc.token, wav, {}, { 'idempotency-key': key })
    ).json()) as { id: string }
    const again = await h.upload(doc.token, wav, {}, { 'idempotency-key': key })
    expect(again.status).toBe(202)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(((await again.json()) as { id: string }).id).toBe(first.id)
    const after = await h.rowCounts()
    expect(after.recordings - before.recordings).toBe(1)
    expect(after.jobs - before.jobs).toBe(1)
  })

  it('should list notes newest first with a working cursor', async () => {
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const { id } = (await (await h.upload(doc.token, wav)).json()) as { id: string }
      ids.push((await h.settle(doc.token, id)).note_id!)
    }
    const page1 = (await (await h.request('/api/notes?limit=2', { headers: doc.auth })).json()) as {
      items: { id: string }[]
      next_cursor: string
    }
    expect(page1.items.map((n) => n.id)).toEqual([ids[2], ids[1]])
    const page2 = (await (
      await h.request(`/api/notes?limit=2&cursor=${page1.next_cursor}`, { headers: doc.auth })
    ).json()) as { items: { id: string }[] }
    expect(page2.items[0]?.id).toBe(ids[0])
  })
})
