import { describe, expect, it } from 'vitest'
import { BUILTIN_TEMPLATES } from '../../api/src/templates/builtin.ts'
import { SectionsSchema } from '../../api/src/contract/soap-note.ts'
import { createOpenAiWriter } from '../../api/src/providers/writer/openai.ts'
import { SOAP_SYSTEM_PROMPT_V1 } from '../../api/src/providers/writer/prompt.ts'
import type { Transcript, WriterInput } from '../../api/src/providers/types.ts'
import {
  chatCompletion,
  chatRequestSummary,
  createRequestRecorder,
  fixtures,
  openAiChat,
  soapAnswerFixture,
} from '../support/provider-mocks.ts'
import { failure, useProviderServer } from '../support/provider-test-helpers.ts'
import { openAiStrictViolations } from '../support/openai-strict-schema.ts'

const server = useProviderServer()

// The consultation of the Deepgram fixture, as a normalised transcript.
const transcript: Transcript = {
  utterances: fixtures.deepgramPrerecorded().results.utterances.map((u, i) => ({
    id: `u${i + 1}`,
    speaker: `speaker_${u.speaker}`,
    start: u.start,
    end: u.end,
    text: u.transcript,
  })),
  language: 'en',
  duration_s: 39.712,
  provider: 'deepgram',
  model: 'nova-3-medical',
}
const input: WriterInput = { transcript, template: BUILTIN_TEMPLATES['soap'], language: 'en' }

describe('openai note writer', () => {
  it('maps the answer to soap.v1 sections with evidence from the transcript', async () => {
    server.use(openAiChat().success())
    const writer = createOpenAiWriter({ apiKey: 'sk-test' })
    const out = await writer.write(input)

    expect(writer).toMatchObject({
      name: 'openai',
      model: 'gpt-4o-mini',
      promptVersion: 'soap-prompt.v1',
    })
    expect(out.status).toBe('ok')
    expect(out.warnings).toEqual([])
    expect(SectionsSchema.parse(out.sections)).toEqual(out.sections)
    expect(out.sections.objective!.items).toEqual([
      {
        text: 'Blood pressure 150/95.',
        evidence: [{ utterance_id: 'u5', start: 20.08, end: 23.94 }],
      },
    ])
    expect(out.sections.plan!.items[0]).toEqual({
      text: 'Start amlodipine 5 mg once daily.',
      evidence: [{ utterance_id: 'u6', start: 24.32, end: 28.11 }],
    })
    expect(out.sections.subjective!.items[2]?.evidence.map((e) => e.utterance_id)).toEqual([
      'u3',
      'u4',
    ])
    const answer = soapAnswerFixture()
    for (const name of ['subjective', 'objective', 'assessment', 'plan'] as const) {
      expect(out.sections[name]!.items.map((i) => i.text)).toEqual(
        answer.sections[name]!.items.map((i) => i.text)
      )
    }
  })

  it('asks for strict json_schema output with the versioned prompt and the transcript lines', async () => {
    const recorder = createRequestRecorder()
    server.use(openAiChat({ recorder }).success())
    await createOpenAiWriter({ apiKey: 'sk-test' }).write({
      ...input,
      template: BUILTIN_TEMPLATES['soap-brief'],
    })

    const sent = recorder.last()
    expect(sent.url.href).toBe('https://api.openai.com/v1/chat/completions')
    expect(sent.headers.get('authorization')).toBe('Bearer sk-test')
    const req = chatRequestSummary(sent)
    expect(req.model).toBe('gpt-4o-mini')
    expect(req.temperature).toBe(0)
    expect(req.responseFormatType).toBe('json_schema')
    expect(req.schemaName).toBe('soap_v1')
    expect(req.strict).toBe(true)
    expect(openAiStrictViolations(req.schema)).toEqual([])
    expect(req.schema).toMatchObject({
      required: ['status', 'sections', 'warnings'],
      properties: { status: { enum: ['ok', 'insufficient_content'] } },
    })
    expect(req.system).toBe(SOAP_SYSTEM_PROMPT_V1)
    expect(req.user).toContain('Template "soap-brief"')
    expect(req.user).toContain('[u1 speaker_0 0.5-3.1] Good morning, Mr. Alvarez.')
    expect(req.user).toContain(
      '[u5 speaker_0 20.1-23.9] Okay. Your blood pressure today is 150/95, which is high.'
    )
    expect(req.user.split('\n').filter((l) => /^\[u\d+ /.test(l))).toHaveLength(8)
  })

  it('talks to any OpenAI-compatible server; reasoning models keep their default temperature', async () => {
    const recorder = createRequestRecorder()
    const baseUrl = 'http://ollama.internal:11434/v1'
    server.use(openAiChat({ baseUrl, recorder }).success())
    const out = await createOpenAiWriter({ baseUrl, model: 'llama3.1:8b' }).write(input)
    expect(out.status).toBe('ok')
    expect(recorder.last().url.href).toBe('http://ollama.internal:11434/v1/chat/completions')
    expect(chatRequestSummary(recorder.last()).model).toBe('llama3.1:8b')

    server.use(openAiChat({ recorder }).success())
    await createOpenAiWriter({ model: 'gpt-5-mini' }).write(input)
    expect(chatRequestSummary(recorder.last()).temperature).toBeUndefined()
  })

  it('drops evidence for utterance ids that do not exist, with a warning', async () => {
    const answer = soapAnswerFixture()
    answer.sections.objective!.items[0]!.utterance_ids = ['u5', 'u99', 'u5']
    answer.sections.plan!.items.push({ text: 'Lipid panel.', utterance_ids: ['u42'] })
    answer.warnings = ['Patient name may be misheard.']
    server.use(openAiChat().success(chatCompletion(JSON.stringify(answer))))
    const out = await createOpenAiWriter().write(input)

    expect(out.sections.objective!.items[0]?.evidence).toEqual([
      { utterance_id: 'u5', start: 20.08, end: 23.94 },
    ])
    expect(out.sections.plan!.items.at(-1)).toEqual({ text: 'Lipid panel.', evidence: [] })
    expect(out.warnings).toEqual([
      'Patient name may be misheard.',
      'the writer cited utterances that do not exist: u99, u42',
    ])
  })

  it('passes insufficient_content through', async () => {
    const empty = { items: [] }
    const answer = {
      status: 'insufficient_content',
      sections: { subjective: empty, objective: empty, assessment: empty, plan: empty },
      warnings: ['The recording holds no clinical content.'],
    }
    server.use(openAiChat().success(chatCompletion(JSON.stringify(answer))))
    const out = await createOpenAiWriter().write(input)
    expect(out).toEqual({
      ...answer,
      status: 'insufficient_content',
      promptVersion: 'soap-prompt.v1',
    })
  })

  it('an empty transcript needs no call', async () => {
    const recorder = createRequestRecorder()
    server.use(openAiChat({ recorder }).success())
    const out = await createOpenAiWriter().write({
      ...input,
      transcript: { ...transcript, utterances: [] },
    })
    expect(out.status).toBe('insufficient_content')
    expect(recorder.requests).toHaveLength(0)
  })

  it('401 is transient', async () => {
    server.use(openAiChat().unauthorized())
    const err = await failure(createOpenAiWriter({ apiKey: 'sk-bad' }).write(input))
    expect(err.kind).toBe('transient')
    expect(err.message).toBe('openai rejected the API key (401)')
  })

  it('429 is transient with retryAfterMs from the header', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString()
    server.use(openAiChat().rateLimited(at))
    const err = await failure(createOpenAiWriter().write(input))
    expect(err.kind).toBe('transient')
    expect(err.retryAfterMs).toBeGreaterThan(55_000)
    expect(err.retryAfterMs).toBeLessThanOrEqual(60_000)
  })

  it('500 is transient, without retrying inside the SDK', async () => {
    const recorder = createRequestRecorder()
    server.use(openAiChat({ recorder }).serverError())
    const err = await failure(createOpenAiWriter().write(input))
    expect(err.kind).toBe('transient')
    expect(recorder.requests).toHaveLength(1)
  })

  it('a timeout is transient', async () => {
    server.use(openAiChat().slow(2000))
    const err = await failure(createOpenAiWriter({ timeoutMs: 200 }).write(input))
    expect(err.kind).toBe('transient')
    expect(err.message).toContain('timed out')
  })

  it('400 is permanent', async () => {
    server.use(openAiChat().badRequest())
    const err = await failure(createOpenAiWriter().write(input))
    expect(err.kind).toBe('permanent')
  })

  it('an answer that does not match the schema is permanent', async () => {
    server.use(openAiChat().malformed())
    const err = await failure(createOpenAiWriter().write(input))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('does not match the schema')
  })

  it('content that is not JSON is permanent', async () => {
    server.use(openAiChat().success(chatCompletion('Here is your SOAP note: ...')))
    const err = await failure(createOpenAiWriter().write(input))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('not valid JSON')
  })

  it('a 200 HTML page is permanent', async () => {
    server.use(openAiChat().malformed('html'))
    const err = await failure(createOpenAiWriter().write(input))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('malformed response')
  })

  it('a refusal is permanent', async () => {
    server.use(
      openAiChat().success(chatCompletion(null, { refusal: "I'm sorry, I can't help with that." }))
    )
    const err = await failure(createOpenAiWriter().write(input))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('refused')
  })

  it('a note cut off by the token limit is permanent', async () => {
    server.use(
      openAiChat().success(chatCompletion('{"status":"ok","sec', { finishReason: 'length' }))
    )
    const err = await failure(createOpenAiWriter().write(input))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('cut off')
  })
})
