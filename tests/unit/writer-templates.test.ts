// The writers on templates that are data: the built-in ones write what they always wrote, a
// clinician's own sections shape the model's JSON Schema and prompt, and the extractive writer
// places what it can on custom sections and says what it could not.
import { describe, expect, it } from 'vitest'
import { BUILTIN_TEMPLATES } from '../../api/src/templates/builtin.ts'
import type { NoteTemplate } from '../../api/src/templates/builtin.ts'
import { TEMPLATES } from '../../api/src/contract/names.ts'
import { createOpenAiWriter } from '../../api/src/providers/writer/openai.ts'
import { createExtractiveWriter } from '../../api/src/providers/writer/extractive.ts'
import { answerJsonSchema, SOAP_ANSWER_JSON_SCHEMA } from '../../api/src/providers/writer/answer.ts'
import {
  SOAP_SYSTEM_PROMPT_V1,
  promptVersionOf,
  systemPrompt,
} from '../../api/src/providers/writer/prompt.ts'
import type { Transcript } from '../../api/src/providers/types.ts'
import {
  chatCompletion,
  chatRequestSummary,
  createRequestRecorder,
  openAiChat,
} from '../support/provider-mocks.ts'
import { useProviderServer } from '../support/provider-test-helpers.ts'
import { openAiStrictViolations } from '../support/openai-strict-schema.ts'

const server = useProviderServer()

const MEDICATION_REVIEW: NoteTemplate = {
  id: '6f1c1f6e-2b1e-4a56-9a43-0d3b8a7c1e01',
  slug: null,
  name: 'Medication review',
  version: 2,
  instruction: 'a medication review for the practice pharmacist.',
  sections: [
    {
      key: 'hpi',
      title: 'History of presenting complaint',
      instruction: 'in the patient’s words',
      max_items: null,
    },
    {
      key: 'medications',
      title: 'Medications',
      instruction: 'medications with dose, route and frequency',
      max_items: 5,
    },
    { key: 'allergies', title: 'Allergies', instruction: '', max_items: null },
  ],
}

const line = (i: number, speaker: string, text: string) => ({
  id: `u${i}`,
  speaker,
  start: i * 5,
  end: i * 5 + 4,
  text,
})
const transcript: Transcript = {
  utterances: [
    line(1, 'speaker_0', 'Hello, what brings you in today?'),
    line(2, 'speaker_1', 'I have had a dry cough for three weeks since starting a new tablet.'),
    line(3, 'speaker_1', 'I take ramipril 10 mg once daily and atorvastatin 20 mg at night.'),
    line(4, 'speaker_1', 'I am allergic to penicillin, it gives me a rash.'),
    line(5, 'speaker_0', 'Your blood pressure is 128/80 and your chest is clear.'),
    line(6, 'speaker_0', 'This is most likely an ACE inhibitor cough.'),
  ],
  language: 'en',
  duration_s: 34,
  provider: 'test',
  model: 'test',
}

describe('the built-in templates as data', () => {
  it('should give the model the v1 prompt and soap_v1 schema, word for word', () => {
    for (const name of TEMPLATES) {
      expect(systemPrompt(BUILTIN_TEMPLATES[name])).toBe(SOAP_SYSTEM_PROMPT_V1)
      expect(promptVersionOf(BUILTIN_TEMPLATES[name], false)).toBe('soap-prompt.v1')
    }
    expect(answerJsonSchema(BUILTIN_TEMPLATES.soap.sections.map((s) => s.key))).toEqual(
      SOAP_ANSWER_JSON_SCHEMA
    )
  })

  it('should keep at most three items per section in the brief one (its max_items)', async () => {
    const long = {
      ...transcript,
      utterances: Array.from({ length: 6 }, (_, i) =>
        line(i + 1, 'speaker_0', `Start drug number ${i + 1} at 5 mg twice daily.`)
      ),
    }
    const write = (t: NoteTemplate) =>
      createExtractiveWriter().write({ transcript: long, template: t, language: 'en' })
    expect((await write(BUILTIN_TEMPLATES.soap)).sections.plan!.items).toHaveLength(6)
    expect((await write(BUILTIN_TEMPLATES['soap-brief'])).sections.plan!.items).toHaveLength(3)
  })
})

describe('the OpenAI writer on a clinician’s template', () => {
  const answer = {
    status: 'ok',
    sections: {
      hpi: { items: [{ text: 'Dry cough for three weeks.', utterance_ids: ['u2'] }] },
      medications: {
        items: [
          { text: 'Ramipril 10 mg oral once daily.', utterance_ids: ['u3'] },
          { text: 'Atorvastatin 20 mg oral at night.', utterance_ids: ['u3'] },
        ],
      },
      allergies: { items: [{ text: 'Penicillin (rash).', utterance_ids: ['u4'] }] },
    },
    warnings: [],
  }

  it('should build the JSON Schema and the prompt from its sections and honour the instructions', async () => {
    const recorder = createRequestRecorder()
    server.use(openAiChat({ recorder }).success(chatCompletion(JSON.stringify(answer))))
    const out = await createOpenAiWriter({ apiKey: 'sk-test' }).write({
      transcript,
      template: MEDICATION_REVIEW,
      language: 'en',
      instruction: 'Write drug names in capitals.',
    })
    const req = chatRequestSummary(recorder.last())
    expect(req.schemaName).toBe('note_sections_v1')
    expect(openAiStrictViolations(req.schema)).toEqual([])
    const sections = (req.schema as { properties: { sections: { required: string[] } } }).properties
      .sections
    expect(sections.required).toEqual(['hpi', 'medications', 'allergies'])
    expect(req.system).toContain('into a note with the sections listed below')
    expect(req.system).toContain(
      '- Medications: medications with dose, route and frequency At most 5 items.'
    )
    expect(req.system).toContain(
      '- History of presenting complaint ("hpi"): in the patient’s words'
    )
    expect(req.user).toContain(
      'Template "Medication review": a medication review for the practice pharmacist.'
    )
    expect(req.user).toContain(
      'Additional instruction from the clinician for this note: Write drug names in capitals.'
    )
    expect(out.promptVersion).toBe('template-prompt.v1')
    expect(Object.keys(out.sections)).toEqual(['hpi', 'medications', 'allergies'])
    expect(out.sections.medications!.items[1]).toEqual({
      text: 'Atorvastatin 20 mg oral at night.',
      evidence: [{ utterance_id: 'u3', start: 15, end: 19 }],
    })
  })

  it('should refuse an answer that lacks one of the template’s sections as malformed', async () => {
    const { allergies: _dropped, ...fewer } = answer.sections
    server.use(openAiChat().success(chatCompletion(JSON.stringify({ ...answer, sections: fewer }))))
    await expect(
      createOpenAiWriter({ apiKey: 'sk-test' }).write({
        transcript,
        template: MEDICATION_REVIEW,
        language: 'en',
      })
    ).rejects.toThrow(/sections\.allergies/)
  })
})

describe('the extractive writer on a clinician’s template', () => {
  it('should place what it can by the sections’ words and name what it left out', async () => {
    const out = await createExtractiveWriter().write({
      transcript,
      template: MEDICATION_REVIEW,
      language: 'en',
    })
    expect(out.status).toBe('ok')
    const texts = (k: string) => out.sections[k]!.items.map((i) => i.text)
    expect(Object.keys(out.sections)).toEqual(['hpi', 'medications', 'allergies'])
    expect(texts('medications')).toEqual([
      'I take ramipril 10 mg once daily and atorvastatin 20 mg at night.',
    ])
    expect(texts('allergies')).toEqual(['I am allergic to penicillin, it gives me a rash.'])
    expect(texts('hpi')).toEqual([
      'I have had a dry cough for three weeks since starting a new tablet.',
    ])
    // The examination and the impression have no section here: said, not silently dropped.
    expect(out.warnings).toContain(
      '1 objective statement(s) fit none of this template\'s sections and were left out (the first: "Your blood pressure is 128/80 and your chest is clear.")'
    )
    expect(out.warnings.some((w) => /^1 assessment statement/.test(w))).toBe(true)
    for (const item of Object.values(out.sections).flatMap((s) => s.items)) {
      expect(item.evidence.length).toBeGreaterThan(0)
    }
  })

  it('should say which section it found nothing for', async () => {
    const out = await createExtractiveWriter().write({
      transcript: { ...transcript, utterances: transcript.utterances.filter((u) => u.id !== 'u4') },
      template: MEDICATION_REVIEW,
      language: 'en',
    })
    expect(out.sections.allergies!.items).toEqual([])
    expect(out.warnings).toContain('nothing was found for "Allergies"')
  })
})
