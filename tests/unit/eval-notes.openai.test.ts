import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { loadConsultations } from '../../bench/eval-notes/consultations.ts'
import { writersFromEnv } from '../../bench/eval-notes/run.ts'
import { evaluateWriter } from '../../bench/eval-notes/score.ts'
import { chatCompletion } from '../support/provider-mocks.ts'

// The model path of `npm run eval:notes`: OPENAI_BASE_URL adds the OpenAI-compatible writer,
// and its notes are scored like the extractive writer's (the model is mocked: msw).
const BASE_URL = 'http://model.invalid/v1'

/** A model that copies the first utterance it is shown into Subjective, citing it. */
const server = setupServer(
  http.post(`${BASE_URL}/chat/completions`, async ({ request }) => {
    const body = (await request.json()) as { messages: { role: string; content: string }[] }
    const user = body.messages.find((m) => m.role === 'user')?.content ?? ''
    const first = /^\[(u\d+) \S+ [\d.]+-[\d.]+\] (.*)$/m.exec(user)
    const section = (items: { text: string; utterance_ids: string[] }[]) => ({ items })
    const answer = {
      status: first ? 'ok' : 'insufficient_content',
      sections: {
        subjective: section(first ? [{ text: first[2]!, utterance_ids: [first[1]!] }] : []),
        objective: section([]),
        assessment: section([]),
        plan: section([]),
      },
      warnings: [],
    }
    return HttpResponse.json(chatCompletion(JSON.stringify(answer)))
  })
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

describe('eval:notes with a configured model', () => {
  it('measures only the extractive writer when no model is configured', () => {
    expect(writersFromEnv({}).map((w) => w.name)).toEqual(['extractive'])
    expect(writersFromEnv({ OPENAI_API_KEY: '' }).map((w) => w.name)).toEqual(['extractive'])
  })

  it('adds the OpenAI-compatible writer and scores its notes', async () => {
    const writers = writersFromEnv({ OPENAI_BASE_URL: BASE_URL, OPENAI_MODEL: 'local-model' })
    expect(writers.map((w) => [w.name, w.model])).toEqual([
      ['extractive', 'extractive-v1'],
      ['openai', 'local-model'],
    ])
    const set = loadConsultations().slice(0, 3)
    const e = await evaluateWriter(writers[1]!, set)
    expect(e.writer).toBe('openai (local-model)')
    expect(e.items).toBe(3)
    expect(e.evidenceCoverage).toBe(1)
    expect(e.validEvidenceShare).toBe(1)
    expect(e.placedShare).toBeLessThan(0.2) // one greeting per note places next to nothing
  })
})
