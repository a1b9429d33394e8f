import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { auth } from '../lib/auth.ts'
import type { Note } from '../lib/types.ts'
import { NoteView } from './NoteView.tsx'

const ID = '11111111-2222-4333-8444-555555555555'
const REC = '66666666-7777-4888-8999-000000000000'

function note(over: Partial<Note> = {}): Note {
  return {
    id: ID,
    recording_id: REC,
    version: 3,
    patient_ref: 'MRN-42',
    created_at: '2026-11-25T10:00:00.000Z',
    updated_at: '2026-11-25T10:05:00.000Z',
    schema_version: 'soap.v1',
    status: 'ok',
    language: 'en',
    template: 'soap',
    sections: {
      subjective: {
        items: [
          { text: 'Cough for three days', evidence: [{ utterance_id: 'u1', start: 1.5, end: 4 }] },
        ],
      },
      objective: { items: [{ text: 'Temperature 38.2', evidence: [] }] },
      assessment: { items: [{ text: 'Viral bronchitis', evidence: [] }] },
      plan: { items: [{ text: 'Fluids and rest', evidence: [] }] },
    },
    transcript: {
      utterances: [{ id: 'u1', speaker: 'patient', start: 1.5, end: 4, text: 'I cough' }],
    },
    provenance: {
      stt_provider: 'deepgram',
      stt_model: 'nova-3-medical',
      writer: 'openai',
      writer_model: 'gpt',
      prompt_version: 'p1',
      created_at: '2026-11-25T10:00:00.000Z',
    },
    warnings: [],
    ...over,
  }
}

type Call = { url: string; init: RequestInit }
let calls: Call[] = []

function serve(routes: (c: Call) => Response | undefined) {
  calls = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const c = { url, init }
      calls.push(c)
      return routes(c) ?? new Response('{}', { status: 404 })
    })
  )
}
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

beforeEach(() => {
  auth.signIn('test-token', 3600, 'dr@example.org')
})
afterEach(() => {
  vi.unstubAllGlobals()
  auth.signOut()
})

describe('NoteView', () => {
  it('renders the four sections with their items, fetched with the bearer token', async () => {
    serve((c) => (c.url === `/api/notes/${ID}` ? json(note()) : undefined))
    render(<NoteView id={ID} />)
    expect(await screen.findByRole('heading', { name: 'Note · MRN-42' })).toBeTruthy()
    for (const [title, text] of [
      ['Subjective', 'Cough for three days'],
      ['Objective', 'Temperature 38.2'],
      ['Assessment', 'Viral bronchitis'],
      ['Plan', 'Fluids and rest'],
    ] as const) {
      const section = screen.getByRole('region', { name: title })
      expect(within(section).getByText(text, { exact: false })).toBeTruthy()
    }
    // an item with evidence is a button that plays its audio
    expect(screen.getByRole('button', { name: /Cough for three days.*play audio from 0:01/ }))
    expect(new Headers(calls[0]!.init.headers).get('authorization')).toBe('Bearer test-token')
    expect(screen.queryByText(/offline engine, low accuracy/i)).toBeNull()
  })

  it('labels a note from the offline engine', async () => {
    serve(() =>
      json(
        note({
          warnings: ['transcribed by the offline engine: expect low accuracy'],
          provenance: { ...note().provenance, stt_provider: 'openai', stt_model: 'whatever' },
        })
      )
    )
    render(<NoteView id={ID} />)
    expect(await screen.findByText(/offline engine, low accuracy/i)).toBeTruthy()
  })

  it('labels a pocketsphinx note even without the warning', async () => {
    serve(() =>
      json(note({ provenance: { ...note().provenance, stt_model: 'pocketsphinx-en-us' } }))
    )
    render(<NoteView id={ID} />)
    expect(await screen.findByRole('note')).toHaveProperty(
      'textContent',
      expect.stringMatching(/Offline engine, low accuracy/)
    )
  })

  it('saves an edit as a new version with base_version', async () => {
    serve((c) => {
      if (c.init.method === 'PATCH') {
        const body = JSON.parse(String(c.init.body))
        return json(note({ version: 4, sections: body.sections }))
      }
      return json(note())
    })
    render(<NoteView id={ID} />)
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }))
    const box = screen.getByLabelText('Plan item 1')
    fireEvent.change(box, { target: { value: 'Fluids, rest, review in 5 days' } })
    fireEvent.click(screen.getByRole('button', { name: 'Add assessment item' }))
    fireEvent.change(screen.getByLabelText('Assessment item 2'), { target: { value: '  ' } })
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save as new version' }))
    })
    const patch = calls.find((c) => c.init.method === 'PATCH')!
    expect(patch.url).toBe(`/api/notes/${ID}`)
    const body = JSON.parse(String(patch.init.body))
    expect(body.base_version).toBe(3)
    expect(body.sections.plan.items).toEqual([
      { text: 'Fluids, rest, review in 5 days', evidence: [] },
    ])
    // the blank item added is dropped; evidence of untouched items is kept
    expect(body.sections.assessment.items).toHaveLength(1)
    expect(body.sections.subjective.items[0].evidence).toHaveLength(1)
    expect(await screen.findByText('Saved as version 4')).toBeTruthy()
    expect(screen.getByText(/· soap · version 4$/)).toBeTruthy()
  })

  it('keeps the edits on a version conflict', async () => {
    serve((c) =>
      c.init.method === 'PATCH'
        ? json({ error: { code: 'CONFLICT', message: 'the note is at version 5' } }, 409)
        : json(note())
    )
    render(<NoteView id={ID} />)
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }))
    fireEvent.change(screen.getByLabelText('Plan item 1'), { target: { value: 'Changed' } })
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save as new version' }))
    })
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringMatching(/version 5.*edits are still here/)
    )
    expect((screen.getByLabelText('Plan item 1') as HTMLTextAreaElement).value).toBe('Changed')
  })

  it('a 401 ends the session but keeps the screen', async () => {
    serve(() => json({ error: { code: 'UNAUTHORIZED', message: 'expired' } }, 401))
    render(<NoteView id={ID} />)
    await waitFor(() => expect(auth.state.kind).toBe('expired'))
  })

  it('shows earlier versions', async () => {
    serve((c) => {
      if (c.url.endsWith('/versions'))
        return json({
          items: [1, 2, 3].map((v) => ({
            version: v,
            edited_by: null,
            created_at: '2026-11-25T10:00:00.000Z',
          })),
        })
      if (c.url.endsWith('/versions/1'))
        return json(
          note({
            version: 1,
            sections: { ...note().sections, plan: { items: [{ text: 'Old plan', evidence: [] }] } },
          })
        )
      return json(note())
    })
    render(<NoteView id={ID} />)
    fireEvent.click(await screen.findByRole('button', { name: 'Versions' }))
    fireEvent.click(await screen.findByRole('button', { name: /^Version 1/ }))
    expect(await screen.findByText('Old plan')).toBeTruthy()
    expect(screen.getByText(/Viewing version 1; the current one is 3/)).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Edit' })).toHaveProperty('disabled', true)
  })

  it('renders a template’s own sections in its order, with their titles', async () => {
    serve(() =>
      json(
        note({
          template: 'Medication review',
          layout: [
            { key: 'medications', title: 'Medications' },
            { key: 'history', title: 'History' },
          ],
          sections: {
            history: { items: [{ text: 'Cough for three weeks', evidence: [] }] },
            medications: { items: [{ text: 'Ramipril 10 mg daily', evidence: [] }] },
          },
        })
      )
    )
    render(<NoteView id={ID} />)
    await screen.findByRole('heading', { name: 'Medications' })
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual([
      'Medications',
      'History',
    ])
    expect(screen.queryByRole('region', { name: 'Subjective' })).toBeNull()
  })

  it('labels speakers by role and saves a clinician’s correction as a new version', async () => {
    const withRoles = note({
      transcript: {
        utterances: [
          { id: 'u1', speaker: 'speaker_0', start: 0, end: 2, text: 'What brings you in?' },
          { id: 'u2', speaker: 'speaker_1', start: 2, end: 5, text: 'I cough' },
        ],
        speakers: [
          { id: 'speaker_0', role: 'patient', source: 'heuristic' },
          { id: 'speaker_1', role: 'clinician', source: 'heuristic' },
        ],
      },
    })
    serve((c) => {
      if (c.init.method === 'PUT') {
        return json({
          ...withRoles,
          version: 4,
          transcript: {
            ...withRoles.transcript,
            speakers: [
              { id: 'speaker_0', role: 'clinician', source: 'clinician' },
              { id: 'speaker_1', role: 'clinician', source: 'heuristic' },
            ],
          },
        })
      }
      return json(withRoles)
    })
    render(<NoteView id={ID} />)
    expect(await screen.findByText(/0:00 Patient \(guessed\):/)).toBeTruthy()
    fireEvent.change(screen.getByLabelText('speaker_0'), { target: { value: 'clinician' } })
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save speakers' }))
    })
    const put = calls.find((c) => c.init.method === 'PUT')!
    expect(put.url).toBe(`/api/notes/${ID}/speakers`)
    expect(JSON.parse(String(put.init.body))).toEqual({
      base_version: 3,
      roles: { speaker_0: 'clinician' },
    })
    expect(await screen.findByText('Speakers saved as version 4')).toBeTruthy()
    expect(screen.getByText(/0:00 Clinician:/)).toBeTruthy()
  })
})
