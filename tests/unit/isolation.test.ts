import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'

type ErrorBody = { error: { code: string; message: string; request_id?: string } }
type User = Awaited<ReturnType<Harness['addUser']>>
type NoteBody = { id: string; version: number; sections: Record<string, { items: unknown[] }> }
type NoteList = { items: { id: string; recording_id: string }[]; next_cursor: string | null }

describe('isolation between users', () => {
  let h: Harness
  let a: User
  let b: User
  let recordingId: string
  let noteId: string
  let ownNoteId: string

  const edit = (base: number) =>
    JSON.stringify({
      base_version: base,
      sections: {
        subjective: { items: [{ text: 'Overwritten by someone else.' }] },
        objective: { items: [] },
        assessment: { items: [] },
        plan: { items: [] },
      },
    })

  const snapshot = async () => ({
    files: (await h.filesOnDisk()).sort(),
    rows: await h.rowCounts(),
    versions: await h.db.query('SELECT note_id, version FROM note_versions ORDER BY 1, 2'),
    audit: await h.db.query('SELECT id FROM audit_log ORDER BY id'),
  })

  /** 404 NOT_FOUND, never 403, and nothing read, written or audited. */
  async function expectHidden(path: string, init: RequestInit = {}) {
    const before = await snapshot()
    const res = await h.request(path, init)
    expect(res.status).toBe(404)
    const body = (await res.json()) as ErrorBody
    expect(body.error.code).toBe('NOT_FOUND')
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'))
    expect(await snapshot()).toEqual(before)
    return body.error
  }

  beforeAll(async () => {
    h = await createHarness()
    a = await h.addUser('a@example.org')
    b = await h.addUser('b@example.org')
    const wav = await consultationWav()
    const ackA = (await (await h.upload(a.token, wav, { patient_ref: 'A-1' })).json()) as {
      id: string
    }
    const ackB = (await (await h.upload(b.token, wav, { patient_ref: 'B-1' })).json()) as {
      id: string
    }
    recordingId = ackA.id
    noteId = (await h.settle(a.token, ackA.id)).note_id!
    ownNoteId = (await h.settle(b.token, ackB.id)).note_id!
    expect(noteId).toBeTruthy()
    expect(ownNoteId).toBeTruthy()
  })
  afterAll(() => h.close())

  it('should let the owner read what the other user is refused (the ids are real)', async () => {
    for (const path of [
      `/api/recordings/${recordingId}`,
      `/api/recordings/${recordingId}/audio`,
      `/api/notes/${noteId}`,
      `/api/notes/${noteId}/versions`,
      `/api/notes/${noteId}/versions/1`,
    ]) {
      const res = await h.request(path, { headers: a.auth })
      expect(res.status, path).toBe(200)
      await res.arrayBuffer()
    }
  })

  it("should answer 404 for another user's recording", async () => {
    const err = await expectHidden(`/api/recordings/${recordingId}`, { headers: b.auth })
    expect(err.message).toBe('no such recording')
  })

  it("should answer 404 for another user's audio, ranged or not", async () => {
    await expectHidden(`/api/recordings/${recordingId}/audio`, { headers: b.auth })
    await expectHidden(`/api/recordings/${recordingId}/audio`, {
      headers: { ...b.auth, range: 'bytes=0-99' },
    })
  })

  it("should answer 404 for another user's note, as JSON and as Markdown", async () => {
    const err = await expectHidden(`/api/notes/${noteId}`, { headers: b.auth })
    expect(err.message).toBe('no such note')
    await expectHidden(`/api/notes/${noteId}`, {
      headers: { ...b.auth, accept: 'text/markdown' },
    })
    await expectHidden(`/api/notes/${noteId}?format=md`, { headers: b.auth })
  })

  it("should answer 404 for another user's note versions", async () => {
    await expectHidden(`/api/notes/${noteId}/versions`, { headers: b.auth })
    await expectHidden(`/api/notes/${noteId}/versions/1`, { headers: b.auth })
  })

  it("should answer 404 to an edit of another user's note and leave it unchanged", async () => {
    await expectHidden(`/api/notes/${noteId}`, {
      method: 'PATCH',
      headers: { ...b.auth, 'content-type': 'application/json' },
      body: edit(1),
    })
    const note = (await (
      await h.request(`/api/notes/${noteId}`, { headers: a.auth })
    ).json()) as NoteBody
    expect(note.version).toBe(1)
    expect(JSON.stringify(note.sections)).not.toContain('Overwritten')
  })

  it("should leave the other user's notes and recordings out of listings", async () => {
    const notesB = (await (await h.request('/api/notes', { headers: b.auth })).json()) as NoteList
    expect(notesB.items.map((n) => n.id)).toEqual([ownNoteId])
    const notesA = (await (await h.request('/api/notes', { headers: a.auth })).json()) as NoteList
    expect(notesA.items.map((n) => n.id)).toEqual([noteId])

    const recsB = (await (await h.request('/api/recordings', { headers: b.auth })).json()) as {
      items: { id: string }[]
    }
    expect(recsB.items.map((r) => r.id)).not.toContain(recordingId)
    expect(recsB.items).toHaveLength(1)
  })

  it('should not reveal a note through a cursor pointing into the other user', async () => {
    const [row] = await h.db.query<{ created_at: Date }>(
      'SELECT created_at FROM notes WHERE id = $1',
      [noteId]
    )
    // A cursor just after A's note: B still sees only B's own notes.
    const at = new Date(row!.created_at.getTime() + 1000).toISOString()
    const cursor = btoa(`${at}|ffffffff-ffff-4fff-bfff-ffffffffffff`)
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
    const page = (await (
      await h.request(`/api/notes?cursor=${cursor}`, { headers: b.auth })
    ).json()) as NoteList
    expect(page.items.map((n) => n.id)).not.toContain(noteId)
  })

  it.each([
    ['/api/recordings/not-a-uuid'],
    ['/api/recordings/not-a-uuid/audio'],
    ['/api/recordings/00000000-0000-0000-0000-00000000000g'],
    ['/api/notes/not-a-uuid'],
    ['/api/notes/not-a-uuid/versions'],
    ['/api/notes/not-a-uuid/versions/1'],
    [`/api/notes/${crypto.randomUUID()}`],
  ])('should answer 404 for the malformed or unknown id in %s', async (path) => {
    await expectHidden(path, { headers: a.auth })
  })

  it('should answer 404 to an edit of a malformed id', async () => {
    await expectHidden('/api/notes/%27%20OR%201=1--', {
      method: 'PATCH',
      headers: { ...a.auth, 'content-type': 'application/json' },
      body: edit(1),
    })
  })
})
