// /api/templates: templates as data, versioned, personal or clinic-wide; the built-in ones are
// the seed rows of 004_templates; a note keeps the template version that wrote it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUserStore } from '../../api/src/store/users.ts'
import { createHarness, scriptedStt } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'
import { BUILTIN_TEMPLATES } from '../../api/src/templates/builtin.ts'
import { TEMPLATES } from '../../api/src/contract/names.ts'
import type { NoteTemplateResponse, TemplateList } from '../../api/src/contract/templates.ts'
import type { Note } from '../../api/src/contract/notes.ts'
import type { NoteWriter, WriterInput } from '../../api/src/providers/types.ts'
import { createExtractiveWriter } from '../../api/src/providers/writer/extractive.ts'

type User = Awaited<ReturnType<Harness['addUser']>>
type ErrorBody = { error: { code: string; message: string } }

const REVIEW = {
  name: 'Medication review',
  instruction: 'for the practice pharmacist',
  sections: [
    { key: 'history', title: 'History', instruction: 'what the patient reports' },
    {
      key: 'medications',
      title: 'Medications',
      instruction: 'medications with dose, route and frequency',
      max_items: 5,
    },
    { key: 'plan', title: 'Plan' },
  ],
}

describe('templates: routes, versions and the notes they write', () => {
  let h: Harness
  let doc: User
  let other: User
  let admin: User
  let wav: Uint8Array
  // The writer sees what the job gives it: the template version and the clinician's instruction.
  const seen: WriterInput[] = []
  const extractive = createExtractiveWriter()
  const writer: NoteWriter = {
    ...extractive,
    write: (input, signal) => {
      seen.push(input)
      return extractive.write(input, signal)
    },
  }

  const send = (u: User, method: string, path: string, body?: unknown) =>
    h.request(path, {
      method,
      headers: { ...u.auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  const create = async (u: User, body: unknown = REVIEW) => {
    const res = await send(u, 'POST', '/api/templates', body)
    expect(res.status).toBe(201)
    return (await res.json()) as NoteTemplateResponse
  }

  beforeAll(async () => {
    h = await createHarness({
      writer,
      stt: scriptedStt([
        'Hello, how have you been getting on with the tablets?',
        'I take ramipril 10 mg once daily and I have had a dry cough for three weeks.',
        'Your blood pressure is 128/80 today.',
        'We will stop ramipril and start losartan 50 mg once daily, review in four weeks.',
      ]),
      env: { CLINIC_TEMPLATE_EDITORS: 'Admin@Example.org' },
    })
    doc = await h.addUser('doc@example.org')
    other = await h.addUser('other@example.org')
    admin = await h.addUser('admin@example.org')
    wav = await consultationWav()
  }, 120_000)
  afterAll(() => h?.close())

  it('should seed the built-in templates exactly as the writers knew them in code', async () => {
    const res = await send(doc, 'GET', '/api/templates')
    expect(res.status).toBe(200)
    const { items } = (await res.json()) as TemplateList
    const builtins = items.filter((t) => t.scope === 'builtin')
    expect(builtins.map((t) => t.slug).sort()).toEqual([...TEMPLATES].sort())
    for (const t of builtins) {
      const code = BUILTIN_TEMPLATES[t.slug as keyof typeof BUILTIN_TEMPLATES]
      expect({ ...t, created_at: 0, updated_at: 0 }).toEqual({
        ...code,
        scope: 'builtin',
        editable: false,
        created_at: 0,
        updated_at: 0,
      })
    }
  })

  it('should create a personal template, visible to its owner only (404 to anyone else)', async () => {
    const t = await create(doc)
    expect(t).toMatchObject({ scope: 'personal', version: 1, editable: true, slug: null })
    expect(t.sections.map((s) => [s.key, s.max_items])).toEqual([
      ['history', null],
      ['medications', 5],
      ['plan', null],
    ])
    expect((await send(doc, 'GET', `/api/templates/${t.id}`)).status).toBe(200)
    for (const [method, body] of [['GET'], ['PUT', REVIEW]] as const) {
      const res = await send(other, method, `/api/templates/${t.id}`, body)
      expect(res.status).toBe(404)
      expect(((await res.json()) as ErrorBody).error.code).toBe('NOT_FOUND')
    }
    const list = (await (await send(other, 'GET', '/api/templates')).json()) as TemplateList
    expect(list.items.map((i) => i.id)).not.toContain(t.id)
    // Nor can another user record with it: the upload's field is refused, nothing is kept.
    const before = await h.rowCounts()
    const up = await h.upload(other.token, wav, { template: t.id })
    expect(up.status).toBe(400)
    expect(((await up.json()) as ErrorBody).error.message).toMatch(/^template: no such template/)
    expect(await h.rowCounts()).toEqual(before)
  })

  it.each([
    ['no sections', { name: 'x', sections: [] }, /sections/],
    [
      'a repeated key',
      {
        name: 'x',
        sections: [
          { key: 'a', title: 'A' },
          { key: 'a', title: 'B' },
        ],
      },
      /key "a" is repeated/,
    ],
    [
      'a key that is no identifier',
      { name: 'x', sections: [{ key: 'Plan!', title: 'P' }] },
      /sections\.0\.key/,
    ],
    ['an unknown field', { ...REVIEW, colour: 'blue' }, /colour/],
    ['an empty name', { ...REVIEW, name: '  ' }, /name/],
  ])('should refuse %s with a 400 in the error envelope', async (_what, body, message) => {
    const res = await send(doc, 'POST', '/api/templates', body)
    expect(res.status).toBe(400)
    const err = (await res.json()) as ErrorBody
    expect(err.error.code).toBe('BAD_REQUEST')
    expect(err.error.message).toMatch(message)
  })

  it('should let only an administrator (CLINIC_TEMPLATE_EDITORS) make clinic-wide templates', async () => {
    const refused = await send(doc, 'POST', '/api/templates', { ...REVIEW, scope: 'clinic' })
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as ErrorBody).error.code).toBe('FORBIDDEN')
    const clinic = await create(admin, { ...REVIEW, name: 'Clinic review', scope: 'clinic' })
    expect(clinic).toMatchObject({ scope: 'clinic', editable: true })
    // Everyone sees it; only the administrator may change it.
    const seenByDoc = (await (
      await send(doc, 'GET', `/api/templates/${clinic.id}`)
    ).json()) as NoteTemplateResponse
    expect(seenByDoc.editable).toBe(false)
    expect(
      (await send(doc, 'PUT', `/api/templates/${clinic.id}`, { ...REVIEW, scope: 'clinic' })).status
    ).toBe(403)
    expect(
      (await send(admin, 'PUT', `/api/templates/${clinic.id}`, { ...REVIEW, scope: 'clinic' }))
        .status
    ).toBe(200)
  })

  it('should let an account with the admin role manage clinic-wide templates, until it is revoked', async () => {
    const users = createUserStore(h.db)
    const body = { ...REVIEW, name: 'Clinic follow-up', scope: 'clinic' }
    expect((await send(other, 'POST', '/api/templates', body)).status).toBe(403)
    expect(await users.setRole('other@example.org', 'admin')).toBe(true)
    const clinic = await create(other, body)
    expect(clinic).toMatchObject({ scope: 'clinic', editable: true })
    // The role is read per request: a revocation applies to the same token at once.
    expect(await users.setRole('other@example.org', 'clinician')).toBe(true)
    const again = (await (
      await send(other, 'GET', `/api/templates/${clinic.id}`)
    ).json()) as NoteTemplateResponse
    expect(again.editable).toBe(false)
    expect((await send(other, 'PUT', `/api/templates/${clinic.id}`, body)).status).toBe(403)
  })

  it('should keep the built-in templates read-only', async () => {
    const res = await send(admin, 'PUT', `/api/templates/${BUILTIN_TEMPLATES.soap.id}`, REVIEW)
    expect(res.status).toBe(403)
  })

  it('should write a note with the version picked, and keep it after the template changes', async () => {
    const t = await create(doc)
    const up = await h.upload(doc.token, wav, {
      template: t.id,
      instruction: 'Spell drug names in capitals.',
    })
    expect(up.status).toBe(202)
    const { id } = (await up.json()) as { id: string }
    const done = await h.settle(doc.token, id)
    expect(done.status).toBe('done')
    expect(seen.at(-1)?.template).toMatchObject({ id: t.id, version: 1 })
    expect(seen.at(-1)?.instruction).toBe('Spell drug names in capitals.')

    const edited = await send(doc, 'PUT', `/api/templates/${t.id}`, {
      ...REVIEW,
      sections: [...REVIEW.sections, { key: 'allergies', title: 'Allergies' }],
    })
    expect(edited.status).toBe(200)
    expect(((await edited.json()) as NoteTemplateResponse).version).toBe(2)

    const note = (await (await send(doc, 'GET', `/api/notes/${done.note_id}`)).json()) as Note
    expect(note.template).toBe('Medication review')
    expect(note.template_version).toEqual({ id: t.id, version: 1 })
    expect(note.layout).toEqual([
      { key: 'history', title: 'History' },
      { key: 'medications', title: 'Medications' },
      { key: 'plan', title: 'Plan' },
    ])
    expect(note.sections.medications!.items.map((i) => i.text).join(' ')).toMatch(/ramipril 10 mg/)
    const v1 = await send(doc, 'GET', `/api/templates/${t.id}/versions/1`)
    expect(((await v1.json()) as NoteTemplateResponse).sections).toHaveLength(3)
    const md = await (
      await h.request(`/api/notes/${done.note_id}?format=md`, { headers: doc.auth })
    ).text()
    expect(md).toMatch(/^# Medication review\n/)
    expect(md).toContain('## Medications')

    // An edit keeps the note's own sections; other keys are refused.
    const patch = (sections: unknown) =>
      send(doc, 'PATCH', `/api/notes/${done.note_id}`, { base_version: 1, sections })
    const bad = await patch({ subjective: { items: [] } })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as ErrorBody).error.message).toMatch(
      /missing history, medications, plan; unknown subjective/
    )
    expect((await patch(note.sections)).status).toBe(200)
  })

  it('should make each edit a new version, the earlier ones still readable', async () => {
    const t = await create(doc)
    for (const name of ['A', 'B']) {
      expect((await send(doc, 'PUT', `/api/templates/${t.id}`, { ...REVIEW, name })).status).toBe(
        200
      )
    }
    const current = (await (
      await send(doc, 'GET', `/api/templates/${t.id}`)
    ).json()) as NoteTemplateResponse
    expect([current.version, current.name]).toEqual([3, 'B'])
    const first = (await (
      await send(doc, 'GET', `/api/templates/${t.id}/versions/1`)
    ).json()) as NoteTemplateResponse
    expect([first.version, first.name, first.editable]).toEqual([1, REVIEW.name, false])
    expect((await send(doc, 'GET', `/api/templates/${t.id}/versions/4`)).status).toBe(404)
    expect(
      (await send(doc, 'PUT', `/api/templates/${t.id}`, { ...REVIEW, scope: 'clinic' })).status
    ).toBe(400)
  })

  it('should hand the older contract’s prompt_instruction to the writer', async () => {
    const form = new FormData()
    form.append('audio_file', new Blob([wav as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }))
    form.append('prompt_instruction', 'Use British spelling.')
    const res = await h.request('/transcribe-and-summarize', {
      method: 'POST',
      headers: doc.auth,
      body: form,
    })
    expect(res.status).toBe(200)
    expect(seen.at(-1)?.instruction).toBe('Use British spelling.')
    expect(seen.at(-1)?.template.slug).toBe('soap')
  })
})
