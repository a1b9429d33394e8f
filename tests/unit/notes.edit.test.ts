import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'
import type { SoapNote } from '../../api/src/contract/soap-note.ts'
import type { Note } from '../../api/src/contract/notes.ts'

type ErrorBody = { error: { code: string; message: string; request_id?: string } }
type User = Awaited<ReturnType<Harness['addUser']>>
type Sections = SoapNote['sections']
type AuditRow = {
  action: string
  user_id: string
  note_id: string | null
  recording_id: string | null
  request_id: string | null
  detail: Record<string, unknown> | null
}
type VersionRow = { version: number; sha256: string; json_path: string; markdown_path: string }

const edited = (marker: string): Sections => ({
  subjective: { items: [{ text: `Headache for three days (${marker}).`, evidence: [] }] },
  objective: {
    items: [
      {
        text: 'Blood pressure 150/95, heart rate 88.',
        evidence: [{ utterance_id: 'u2', start: 4, end: 7.5 }],
      },
    ],
  },
  assessment: { items: [{ text: 'Likely essential hypertension.', evidence: [] }] },
  plan: { items: [] },
})

describe('notes: edits, versions, export and audit', () => {
  let h: Harness
  let doc: User
  let noteId: string
  let recordingId: string
  let original: Note

  const get = (path: string, headers: Record<string, string> = {}) =>
    h.request(path, { headers: { ...doc.auth, ...headers } })
  const patch = (body: string, id = noteId) =>
    h.request(`/api/notes/${id}`, {
      method: 'PATCH',
      headers: { ...doc.auth, 'content-type': 'application/json' },
      body,
    })

  const auditFor = async (res: Response) => {
    const requestId = res.headers.get('x-request-id')
    expect(requestId).toBeTruthy()
    return h.db.query<AuditRow>(
      'SELECT action, user_id, note_id, recording_id, request_id, detail FROM audit_log WHERE request_id = $1',
      [requestId]
    )
  }
  const expectAudited = async (res: Response, action: string, detail?: Record<string, unknown>) => {
    const rows = await auditFor(res)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      action,
      user_id: doc.id,
      note_id: noteId,
      recording_id: recordingId,
      request_id: res.headers.get('x-request-id'),
    })
    if (detail) expect(rows[0]?.detail).toMatchObject(detail)
  }

  const snapshot = async () => ({
    files: (await h.filesOnDisk()).sort(),
    rows: await h.rowCounts(),
    versions: await h.db.query('SELECT note_id, version, sha256 FROM note_versions ORDER BY 1, 2'),
    noteVersion: await h.db.query('SELECT version FROM notes WHERE id = $1', [noteId]),
  })
  async function expectRefused(send: () => Promise<Response>, status: number, code: string) {
    const before = await snapshot()
    const res = await send()
    expect(res.status).toBe(status)
    const body = (await res.json()) as ErrorBody
    expect(body.error.code).toBe(code)
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'))
    expect(await snapshot()).toEqual(before)
    expect(await auditFor(res)).toEqual([])
    return body.error
  }

  beforeAll(async () => {
    h = await createHarness()
    doc = await h.addUser('editor@example.org')
    const wav = await consultationWav()
    const ack = (await (await h.upload(doc.token, wav, { patient_ref: 'MRN-7' })).json()) as {
      id: string
    }
    recordingId = ack.id
    noteId = (await h.settle(doc.token, ack.id)).note_id!
    expect(noteId).toBeTruthy()
  })
  afterAll(() => h.close())

  it('should read version 1 and audit the read', async () => {
    const res = await get(`/api/notes/${noteId}`)
    expect(res.status).toBe(200)
    original = (await res.json()) as Note
    expect(original.version).toBe(1)
    expect(original.patient_ref).toBe('MRN-7')
    await expectAudited(res, 'note.read', { version: 1, format: 'json' })
  })

  it('should save an edit as version 2 and audit it', async () => {
    const sections = edited('edit one')
    const res = await patch(JSON.stringify({ base_version: 1, sections }))
    expect(res.status).toBe(200)
    const saved = (await res.json()) as Note
    expect(saved.version).toBe(2)
    expect(saved.sections).toEqual(sections)
    // Everything but the sections is carried over from version 1.
    expect(saved.transcript).toEqual(original.transcript)
    expect(saved.provenance).toEqual(original.provenance)
    expect(saved.schema_version).toBe('soap.v1')
    await expectAudited(res, 'note.edit', { from: 1, to: 2 })

    // The saved files are exactly what the database says version 2 is.
    const [row] = await h.db.query<VersionRow>(
      'SELECT version, sha256, json_path, markdown_path FROM note_versions WHERE note_id = $1 AND version = 2',
      [noteId]
    )
    const json = await readFile(join(h.config.NOTES_DIR, row!.json_path))
    expect(createHash('sha256').update(json).digest('hex')).toBe(row!.sha256)
    expect((JSON.parse(json.toString('utf8')) as SoapNote).sections).toEqual(sections)
    const md = await readFile(join(h.config.NOTES_DIR, row!.markdown_path), 'utf8')
    expect(md).toContain('Headache for three days (edit one).')
  })

  it('should return version 2 from GET', async () => {
    const res = await get(`/api/notes/${noteId}`)
    const note = (await res.json()) as Note
    expect(note.version).toBe(2)
    expect(note.sections).toEqual(edited('edit one'))
    expect(note.created_at).toBe(original.created_at)
    await expectAudited(res, 'note.read', { version: 2 })

    const list = (await (await get('/api/notes')).json()) as {
      items: { id: string; version: number }[]
    }
    expect(list.items.find((n) => n.id === noteId)?.version).toBe(2)
  })

  it('should list versions 1 and 2 and audit the listing', async () => {
    const res = await get(`/api/notes/${noteId}/versions`)
    expect(res.status).toBe(200)
    const { items } = (await res.json()) as {
      items: { version: number; edited_by: string | null; sha256: string }[]
    }
    expect(items.map((v) => v.version)).toEqual([1, 2])
    expect(items.map((v) => v.edited_by)).toEqual([null, doc.id])
    expect(items[0]?.sha256).not.toBe(items[1]?.sha256)
    await expectAudited(res, 'note.versions')
  })

  it('should still return the original as version 1 and audit that read', async () => {
    const res = await get(`/api/notes/${noteId}/versions/1`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(original)
    await expectAudited(res, 'note.read', { version: 1 })
  })

  it('should refuse an edit based on a stale version with 409 and change nothing', async () => {
    const err = await expectRefused(
      () => patch(JSON.stringify({ base_version: 1, sections: edited('stale') })),
      409,
      'CONFLICT'
    )
    expect(err.message).toMatch(/version 2/)
  })

  it('should let only one of two simultaneous edits win, and keep its files intact', async () => {
    const before = await snapshot()
    const [first, second] = await Promise.all([
      patch(JSON.stringify({ base_version: 2, sections: edited('racer one') })),
      patch(JSON.stringify({ base_version: 2, sections: edited('racer two') })),
    ])
    expect([first!.status, second!.status].sort()).toEqual([200, 409])
    const winner = (await (first!.status === 200 ? first! : second!).json()) as Note
    const loser = first!.status === 200 ? second! : first!
    expect(((await loser.json()) as ErrorBody).error.code).toBe('CONFLICT')
    expect(winner.version).toBe(3)

    const [row] = await h.db.query<VersionRow & { content: SoapNote }>(
      'SELECT version, sha256, json_path, markdown_path, content FROM note_versions WHERE note_id = $1 AND version = 3',
      [noteId]
    )
    expect(row!.content.sections).toEqual(winner.sections)
    const json = await readFile(join(h.config.NOTES_DIR, row!.json_path))
    expect(createHash('sha256').update(json).digest('hex')).toBe(row!.sha256)
    expect((JSON.parse(json.toString('utf8')) as SoapNote).sections).toEqual(winner.sections)
    const md = await readFile(join(h.config.NOTES_DIR, row!.markdown_path), 'utf8')
    expect(md).toContain(winner.sections.subjective!.items[0]!.text)

    // Exactly one more version, two more files (its JSON and Markdown), one edit audited.
    const after = await snapshot()
    expect(after.versions).toHaveLength(before.versions.length + 1)
    expect(after.files).toHaveLength(before.files.length + 2)
    expect(await auditFor(loser)).toEqual([])
  })

  it.each([
    ['a body that is not JSON', '{"base_version": 3, '],
    ['an empty body', ''],
    ['a missing base_version', JSON.stringify({ sections: edited('x') })],
    [
      'a base_version that is a string',
      JSON.stringify({ base_version: '3', sections: edited('x') }),
    ],
    ['a base_version of 0', JSON.stringify({ base_version: 0, sections: edited('x') })],
    ['missing sections', JSON.stringify({ base_version: 3 })],
    [
      'a missing section',
      JSON.stringify({ base_version: 3, sections: { ...edited('x'), plan: undefined } }),
    ],
    [
      'an unknown section',
      JSON.stringify({ base_version: 3, sections: { ...edited('x'), history: { items: [] } } }),
    ],
    ['an unknown top-level key', JSON.stringify({ base_version: 3, sections: edited('x'), v: 1 })],
    [
      'an empty item text',
      JSON.stringify({
        base_version: 3,
        sections: { ...edited('x'), plan: { items: [{ text: '   ' }] } },
      }),
    ],
    [
      'an item text over 4000 characters',
      JSON.stringify({
        base_version: 3,
        sections: { ...edited('x'), plan: { items: [{ text: 'x'.repeat(4001) }] } },
      }),
    ],
    [
      'malformed evidence',
      JSON.stringify({
        base_version: 3,
        sections: { ...edited('x'), plan: { items: [{ text: 'ok', evidence: [{ start: 1 }] }] } },
      }),
    ],
  ])('should refuse an edit with %s with 400 and change nothing', async (_label, body) => {
    await expectRefused(() => patch(body), 400, 'BAD_REQUEST')
  })

  it('should export Markdown with the section headings when asked by Accept, and audit it as an export', async () => {
    const res = await get(`/api/notes/${noteId}`, { accept: 'text/markdown' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8')
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="note-${noteId}-v3.md"`
    )
    const md = await res.text()
    expect(md).toMatch(/^# SOAP note\n/)
    for (const heading of ['## Subjective', '## Objective', '## Assessment', '## Plan'])
      expect(md.split('\n')).toContain(heading)
    expect(md).toMatch(/Headache for three days \(racer (one|two)\)\./)
    expect(md).toContain('Patient: MRN-7')
    expect(md).toContain('Version: 3')
    await expectAudited(res, 'note.export', { version: 3, format: 'markdown' })
  })

  it('should export Markdown with ?format=md too, audited as an export', async () => {
    const res = await get(`/api/notes/${noteId}?format=md`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/markdown/)
    await expectAudited(res, 'note.export', { format: 'markdown' })
  })

  it.each([['0'], ['99'], ['1.5'], ['abc'], ['99999999999'], ['-1']])(
    'should answer 404 for version %s without auditing',
    async (version) => {
      const res = await get(`/api/notes/${noteId}/versions/${version}`)
      expect(res.status).toBe(404)
      const body = (await res.json()) as ErrorBody
      expect(body.error.code).toBe('NOT_FOUND')
      expect(await auditFor(res)).toEqual([])
    }
  )

  it.each([['!!!'], ['bm90LWEtY3Vyc29y'], ['%ZZ']])(
    'should refuse a malformed list cursor %s with 400',
    async (cursor) => {
      const res = await get(`/api/notes?cursor=${cursor}`)
      expect(res.status).toBe(400)
      expect(((await res.json()) as ErrorBody).error.code).toBe('BAD_REQUEST')
    }
  )
})
