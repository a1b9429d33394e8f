// Speaker roles: guessed from who asks the questions and who speaks first, corrected by the
// clinician's tap (a new note version), and read by both writers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  correctSpeakerRoles,
  guessSpeakerRoles,
  withSpeakerRoles,
} from '../../api/src/notes/speaker-roles.ts'
import { classify, createExtractiveWriter } from '../../api/src/providers/writer/extractive.ts'
import { createOpenAiWriter } from '../../api/src/providers/writer/openai.ts'
import { BUILTIN_TEMPLATES } from '../../api/src/templates/builtin.ts'
import type { Transcript } from '../../api/src/providers/types.ts'
import type { Note } from '../../api/src/contract/notes.ts'
import { chatRequestSummary, createRequestRecorder, openAiChat } from '../support/provider-mocks.ts'
import { useProviderServer } from '../support/provider-test-helpers.ts'
import { createHarness, scriptedStt } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'

const server = useProviderServer()

const u = (i: number, speaker: string, text: string) => ({
  id: `u${i}`,
  speaker,
  start: i * 4,
  end: i * 4 + 3,
  text,
})
const CONSULTATION = [
  u(1, 'speaker_0', 'Hello, what brings you in?'),
  u(2, 'speaker_1', 'The blood pressure machine at the pharmacy said 160 over 95.'),
  u(3, 'speaker_2', 'Shall we get a coffee after this? I am starving.'),
  u(4, 'speaker_0', 'Does it hurt when you walk?'),
  u(5, 'speaker_1', 'Yes, I can hardly walk.'),
  u(6, 'speaker_0', 'The knee is swollen and red.'),
]
const transcript = (utterances = CONSULTATION): Transcript => ({
  utterances,
  language: 'en',
  duration_s: 30,
  provider: 'test',
  model: 'test',
})

describe('guessing speaker roles', () => {
  it('should take the one who asks as the clinician, who speaks of themselves as the patient', () => {
    expect(guessSpeakerRoles(CONSULTATION)).toEqual([
      { id: 'speaker_0', role: 'clinician', source: 'heuristic' },
      { id: 'speaker_1', role: 'patient', source: 'heuristic' },
      { id: 'speaker_2', role: 'other', source: 'heuristic' },
    ])
  })

  it('should not guess from one speaker, or when nobody asks anything', () => {
    expect(guessSpeakerRoles(CONSULTATION.map((x) => ({ ...x, speaker: 'speaker_0' })))).toEqual([])
    const statements = CONSULTATION.filter((x) => !x.text.includes('?'))
    expect(guessSpeakerRoles(statements)).toEqual([])
    expect(withSpeakerRoles(transcript(statements)).speakers).toBeUndefined()
  })

  it('should keep roles a transcript already carries (the clinician’s)', () => {
    const set = [{ id: 'speaker_0', role: 'patient' as const, source: 'clinician' as const }]
    expect(withSpeakerRoles({ ...transcript(), speakers: set }).speakers).toBe(set)
  })

  it('should apply a tap over the guess and refuse a speaker who never spoke', () => {
    const corrected = correctSpeakerRoles(CONSULTATION, undefined, { speaker_2: 'patient' })
    expect(corrected).toContainEqual({ id: 'speaker_2', role: 'patient', source: 'clinician' })
    expect(corrected).toContainEqual({ id: 'speaker_0', role: 'clinician', source: 'heuristic' })
    expect(correctSpeakerRoles(CONSULTATION, undefined, { speaker_9: 'other' })).toEqual({
      unknown: ['speaker_9'],
    })
  })
})

describe('the writers with speaker roles', () => {
  it('extractive: a patient’s numbers are history, a clinician’s description is a finding', () => {
    expect(classify(CONSULTATION[1]!.text)?.section).toBe('objective')
    expect(classify(CONSULTATION[1]!.text, 'patient')?.section).toBe('subjective')
    expect(classify('The knee is swollen and red.')?.section).toBe('subjective')
    expect(classify('The knee is swollen and red.', 'clinician')?.section).toBe('objective')
  })

  it('extractive: the note follows the roles the transcript carries', async () => {
    const write = (t: Transcript) =>
      createExtractiveWriter().write({
        transcript: t,
        template: BUILTIN_TEMPLATES.soap,
        language: 'en',
      })
    const without = await write(transcript())
    const withRoles = await write(withSpeakerRoles(transcript()))
    const has = (out: typeof without, section: string, text: RegExp) =>
      out.sections[section]!.items.some((i) => text.test(i.text))
    expect(has(without, 'objective', /pharmacy said 160/)).toBe(true)
    expect(has(withRoles, 'subjective', /pharmacy said 160/)).toBe(true)
    expect(has(withRoles, 'objective', /swollen and red/)).toBe(true)
  })

  it('openai: tells the model who is who and records the prompt that did', async () => {
    const recorder = createRequestRecorder()
    server.use(openAiChat({ recorder }).success())
    const out = await createOpenAiWriter({ apiKey: 'sk-test' }).write({
      transcript: withSpeakerRoles(transcript()),
      template: BUILTIN_TEMPLATES.soap,
      language: 'en',
    })
    const req = chatRequestSummary(recorder.last())
    expect(req.user).toContain(
      'Speakers: speaker_0 is the clinician; speaker_1 is the patient; speaker_2 is another person.'
    )
    expect(out.promptVersion).toBe('soap-prompt.v1+speaker-roles.v1')
  })
})

describe('roles on the note (PUT /api/notes/:id/speakers)', () => {
  let h: Harness
  let doc: Awaited<ReturnType<Harness['addUser']>>
  let other: Awaited<ReturnType<Harness['addUser']>>
  let note: Note

  beforeAll(async () => {
    h = await createHarness({ stt: scriptedStt(CONSULTATION.map((x) => x.text)) })
    doc = await h.addUser('doc@example.org')
    other = await h.addUser('other@example.org')
    const up = await h.upload(doc.token, await consultationWav())
    const done = await h.settle(doc.token, ((await up.json()) as { id: string }).id)
    note = (await (
      await h.request(`/api/notes/${done.note_id}`, { headers: doc.auth })
    ).json()) as Note
  }, 120_000)
  afterAll(() => h?.close())

  const put = (who: typeof doc, body: unknown) =>
    h.request(`/api/notes/${note.id}/speakers`, {
      method: 'PUT',
      headers: { ...who.auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('should carry the guessed roles on the written note', () => {
    // The scripted engine alternates two speakers; speaker_0 asks the questions.
    expect(note.transcript.speakers).toEqual([
      { id: 'speaker_0', role: 'clinician', source: 'heuristic' },
      { id: 'speaker_1', role: 'patient', source: 'heuristic' },
    ])
  })

  it('should store a tap as a new version, and refuse bad or stale ones', async () => {
    const res = await put(doc, { base_version: 1, roles: { speaker_1: 'other' } })
    expect(res.status).toBe(200)
    const saved = (await res.json()) as Note
    expect(saved.version).toBe(2)
    expect(saved.transcript.speakers).toContainEqual({
      id: 'speaker_1',
      role: 'other',
      source: 'clinician',
    })
    expect(saved.sections).toEqual(note.sections)
    expect((await put(doc, { base_version: 1, roles: { speaker_1: 'patient' } })).status).toBe(409)
    expect((await put(doc, { base_version: 2, roles: { speaker_7: 'patient' } })).status).toBe(400)
    expect((await put(doc, { base_version: 2, roles: { speaker_1: 'nurse' } })).status).toBe(400)
    expect((await put(other, { base_version: 2, roles: { speaker_1: 'patient' } })).status).toBe(
      404
    )
  })
})
