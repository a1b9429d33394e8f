import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, PASSWORD } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'
import { checkResponse } from '../support/contract-check.ts'
import { API_ROUTES } from '../../api/src/contract/routes.ts'
import type { RouteContract } from '../../api/src/contract/routes.ts'
import type { AdminStatus } from '../../api/src/contract/admin.ts'
import { createUserStore } from '../../api/src/store/users.ts'
import { LiveEventSchema } from '../../api/src/contract/live.ts'
import type { LiveEvent } from '../../api/src/contract/live.ts'
import type { Note, NoteList } from '../../api/src/contract/notes.ts'
import type { RecordingAccepted } from '../../api/src/contract/recordings.ts'

/** Every `METHOD /path` the app has a handler for (middleware left out). */
const servedRoutes = (h: Harness) =>
  new Set(h.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))

describe('the HTTP contract (api/src/contract/)', () => {
  let h: Harness
  let base: string
  let doc: Awaited<ReturnType<Harness['addUser']>>
  let wav: Uint8Array

  beforeAll(async () => {
    h = await createHarness()
    base = await h.listen()
    doc = await h.addUser('contract@example.org')
    wav = await consultationWav()
  })
  afterAll(() => h.close())

  it('should describe exactly the routes the app serves', () => {
    expect([...servedRoutes(h)].sort()).toEqual(Object.keys(API_ROUTES).sort())
  })

  it('should mark every /api/admin/ route admin-only (the scan probe expects its 403)', () => {
    const routes = Object.entries(API_ROUTES) as [string, RouteContract][]
    const admin = routes.filter(([key]) => key.split(' ')[1]!.startsWith('/api/admin/'))
    expect(admin.length).toBeGreaterThan(0)
    for (const [key, route] of admin) expect(route.access, key).toBe('admin')
  })

  it('should describe every answer of a flow through every route, and every live event', async () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      h.request(path, { headers: { ...doc.auth, ...headers } })

    // The socket first, so it sees the whole life of the recording.
    const events: unknown[] = []
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?access_token=${doc.token}`)
    ws.on('message', (data) => events.push(JSON.parse(String(data))))
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))

    const login = await h.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: doc.email, password: PASSWORD }),
    })
    expect(login.status).toBe(200)

    const key = `contract-${crypto.randomUUID()}`
    const upload = await h.upload(
      doc.token,
      wav,
      { patient_ref: 'MRN-7' },
      { 'idempotency-key': key }
    )
    expect(upload.status).toBe(202)
    const { id } = (await upload.json()) as RecordingAccepted
    expect((await h.upload(doc.token, wav, {}, { 'idempotency-key': key })).status).toBe(202)
    const done = await h.settle(doc.token, id)
    expect(done.status).toBe('done')
    const noteId = done.note_id!

    expect((await get('/api/recordings?limit=5')).status).toBe(200)
    expect((await get(`/api/recordings/${id}/audio`)).status).toBe(200)
    expect((await get(`/api/recordings/${id}/audio`, { range: 'bytes=0-99' })).status).toBe(206)
    expect((await get(`/api/recordings/${id}/audio`, { range: 'bytes=999999999-' })).status).toBe(
      416
    )

    // A second note, so the list has a next page.
    const second = (await (await h.upload(doc.token, wav)).json()) as RecordingAccepted
    await h.settle(doc.token, second.id)
    const page = (await (await get('/api/notes?limit=1')).json()) as NoteList
    expect(page.next_cursor).toBeTruthy()
    expect((await get(`/api/notes?cursor=${page.next_cursor}`)).status).toBe(200)

    const note = (await (await get(`/api/notes/${noteId}`)).json()) as Note
    expect((await get(`/api/notes/${noteId}`, { accept: 'text/markdown' })).status).toBe(200)
    const edited = await h.request(`/api/notes/${noteId}`, {
      method: 'PATCH',
      headers: { ...doc.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ base_version: note.version, sections: note.sections }),
    })
    expect(edited.status).toBe(200)
    expect((await get(`/api/notes/${noteId}/versions`)).status).toBe(200)
    expect((await get(`/api/notes/${noteId}/versions/1`)).status).toBe(200)
    const json = (method: string, path: string, body: unknown) =>
      h.request(path, {
        method,
        headers: { ...doc.auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const speakers = await json('PUT', `/api/notes/${noteId}/speakers`, {
      base_version: note.version + 1,
      roles: { speaker_0: 'patient', speaker_1: 'clinician' },
    })
    expect(speakers.status).toBe(200)

    expect((await get('/api/templates')).status).toBe(200)
    const template = {
      name: 'Medication review',
      sections: [{ key: 'medications', title: 'Medications' }],
    }
    const created = await json('POST', '/api/templates', template)
    expect(created.status).toBe(201)
    const { id: templateId } = (await created.json()) as { id: string }
    expect((await get(`/api/templates/${templateId}`)).status).toBe(200)
    expect((await json('PUT', `/api/templates/${templateId}`, template)).status).toBe(200)
    expect((await get(`/api/templates/${templateId}/versions/1`)).status).toBe(200)

    const form = new FormData()
    form.append('audio_file', new Blob([wav as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }))
    const compat = await h.request('/transcribe-and-summarize', {
      method: 'POST',
      headers: doc.auth,
      body: form,
    })
    expect(compat.status).toBe(200)

    // The admin routes: this harness has no monitor, so the status says so (503, its own shape).
    expect((await get('/api/me')).status).toBe(200)
    const admin = await h.addUser('contract-admin@example.org')
    await createUserStore(h.db).setRole(admin.email, 'admin')
    const asAdmin = (path: string) => h.request(path, { headers: admin.auth })
    const off = await asAdmin('/api/admin/status')
    expect(off.status).toBe(503)
    expect(((await off.json()) as AdminStatus).monitor).toEqual({
      available: false,
      reason: 'the monitor is not configured: start the stack with make up ARGS=--monitor',
    })
    expect((await asAdmin('/api/admin/status/series?metric=site_up')).status).toBe(503)
    expect((await get('/api/admin/status')).status).toBe(403)

    for (const path of ['/health/live', '/health/ready', '/health', '/metrics', '/api/config']) {
      expect((await h.request(path)).status).toBe(200)
    }
    // Answers the contract gives as the error envelope: unknown route, no token, bad input.
    expect((await fetch(`${base}/no/such/route`)).status).toBe(404)
    expect((await h.request('/api/notes')).status).toBe(401)
    expect((await get('/api/notes?cursor=nope')).status).toBe(400)
    expect((await fetch(`${base}/ws`)).status).toBe(401)

    await expect
      .poll(() => events.filter((e) => (e as LiveEvent).type === 'note.ready').length, {
        timeout: 10_000,
      })
      .toBe(3)
    ws.close()

    const seen = new Set([...h.contract.seen].map((s) => s.replace(/ \d+$/, '')))
    seen.add('GET /ws') // the upgrade goes around fetch; its events are checked below
    expect([...seen].sort()).toEqual(Object.keys(API_ROUTES).sort())
    expect(h.contract.violations).toEqual([])
    for (const e of events) expect(LiveEventSchema.safeParse(e).error).toBeUndefined()
    expect(events.map((e) => (e as LiveEvent).type)).toContain('hello')
  })
})

describe('the contract check (tests/support/contract-check.ts)', () => {
  const json = (body: unknown, status = 200) => Response.json(body, { status })
  const recording = {
    id: crypto.randomUUID(),
    status: 'queued',
    note_id: null,
    reason: null,
    detail: null,
    created_at: new Date().toISOString(),
    template: 'soap',
    template_id: null,
    template_version: null,
    language: 'en',
    patient_ref: null,
    size_bytes: 1024,
  }
  const path = `/api/recordings/${recording.id}`

  it('should pass an answer the contract describes', async () => {
    expect(await checkResponse('GET', path, json(recording))).toBeUndefined()
    const err = { error: { code: 'NOT_FOUND', message: 'no such recording', request_id: 'r' } }
    expect(await checkResponse('GET', path, json(err, 404))).toBeUndefined()
    const md = new Response('# Note', { headers: { 'content-type': 'text/markdown' } })
    expect(await checkResponse('GET', `/api/notes/${recording.id}`, md)).toBeUndefined()
  })

  it.each([
    ['a field it does not list', json({ ...recording, user_id: 'u1' }), /user_id/],
    ['a field it lists missing', json({ ...recording, size_bytes: undefined }), /size_bytes/],
    ['a value of the wrong kind', json({ ...recording, status: 'lost' }), /status/],
    ['a status the route does not declare', json(recording, 201), /does not declare/],
    ['an error outside the envelope', json({ message: 'nope' }, 500), /error/],
    ['text where JSON is declared', new Response('ok'), /where JSON is declared/],
  ])('should refuse %s', async (_what, res, problem) => {
    expect(await checkResponse('GET', path, res)).toMatch(problem)
  })

  it('should refuse a success from a route the contract does not have', async () => {
    expect(await checkResponse('GET', '/api/secrets', json({}))).toMatch(/no such route/)
  })
})
