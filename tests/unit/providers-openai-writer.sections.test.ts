import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { BUILTIN_TEMPLATES } from '../../api/src/templates/builtin.ts'
import { createOpenAiWriter } from '../../api/src/providers/writer/openai.ts'
import type { Transcript } from '../../api/src/providers/types.ts'
import { OPENAI_BASE_URL, chatCompletion } from '../support/provider-mocks.ts'
import { useProviderServer } from '../support/provider-test-helpers.ts'
import { LONG_CONSULTATION_SCRIPT } from '../support/long-consultation.ts'

const server = useProviderServer()

/** `n` utterances, 8 s apart, cycling through the long consultation's lines. */
function longTranscript(n: number): Transcript {
  return {
    provider: 'openai',
    model: 'whisper-1',
    language: 'en',
    duration_s: n * 8,
    utterances: Array.from({ length: n }, (_, i) => ({
      id: `u${i + 1}`,
      speaker: 'speaker_0',
      start: i * 8,
      end: i * 8 + 6,
      text: LONG_CONSULTATION_SCRIPT[i % LONG_CONSULTATION_SCRIPT.length]!.line,
    })),
  }
}

/**
 * A chat endpoint that writes a partial note of whatever utterances it is sent: one subjective
 * item citing the first, one plan item (the same words in every part) citing the last.
 */
function partialNotes() {
  const calls: { ids: string[]; user: string }[] = []
  const handler = http.post(`${OPENAI_BASE_URL}/chat/completions`, async ({ request }) => {
    const body = (await request.json()) as { messages: { role: string; content: string }[] }
    const user = body.messages.find((m) => m.role === 'user')!.content
    const ids = [...user.matchAll(/^\[(u\d+) /gm)].map((m) => m[1]!)
    calls.push({ ids, user })
    const k = calls.length
    const answer = {
      status: 'ok',
      sections: {
        subjective: { items: [{ text: `Complaint from part ${k}.`, utterance_ids: [ids[0]] }] },
        objective: { items: [] },
        assessment: { items: [] },
        plan: { items: [{ text: 'Follow up in two weeks.', utterance_ids: [ids.at(-1)] }] },
      },
      warnings: [`unclear speech in part ${k}`],
    }
    return HttpResponse.json(chatCompletion(JSON.stringify(answer)))
  })
  return { handler, calls }
}

describe('openai note writer, long transcripts', () => {
  it('writes a transcript over the budget in parts, sends every utterance once, and merges', async () => {
    const mock = partialNotes()
    server.use(mock.handler)
    const transcript = longTranscript(450) // one hour at 8 s an utterance: ~8 000 tokens
    const writer = createOpenAiWriter({ apiKey: 'sk-test', maxTranscriptTokens: 2_000 })
    const out = await writer.write({
      transcript,
      template: BUILTIN_TEMPLATES['soap'],
      language: 'en',
    })

    expect(mock.calls.length).toBeGreaterThanOrEqual(4)
    // Nothing cut: every utterance went out exactly once, in order, across the parts.
    expect(mock.calls.flatMap((c) => c.ids)).toEqual(transcript.utterances.map((u) => u.id))
    for (const [i, call] of mock.calls.entries()) {
      expect(call.user).toContain(`part ${i + 1} of ${mock.calls.length}`)
      const lines = call.user.split('\n').filter((l) => /^\[u\d+ /.test(l))
      expect(lines.join('\n').length / 4).toBeLessThanOrEqual(2_000)
    }

    expect(out.status).toBe('ok')
    const subjective = out.sections.subjective!.items
    expect(subjective.map((i) => i.text)).toEqual(
      mock.calls.map((_, i) => `Complaint from part ${i + 1}.`)
    )
    // Evidence points at the original utterances, with their times.
    const byId = new Map(transcript.utterances.map((u) => [u.id, u]))
    for (const [i, item] of subjective.entries()) {
      const id = mock.calls[i]!.ids[0]!
      const u = byId.get(id)!
      expect(item.evidence).toEqual([{ utterance_id: id, start: u.start, end: u.end }])
    }
    // The plan every part wrote alike is kept once, with the evidence of every part.
    expect(out.sections.plan!.items).toHaveLength(1)
    expect(out.sections.plan!.items[0]!.evidence.map((e) => e.utterance_id)).toEqual(
      mock.calls.map((c) => c.ids.at(-1))
    )
    expect(out.warnings[0]).toMatch(
      new RegExp(`written in ${mock.calls.length} parts of consecutive utterances and merged`)
    )
    expect(out.warnings[0]).toContain('WRITER_MAX_TRANSCRIPT_TOKENS')
    expect(out.warnings).toContain(`part 2 of ${mock.calls.length}: unclear speech in part 2`)
  })

  it('sends a transcript within the budget in one call, with no warning about parts', async () => {
    const mock = partialNotes()
    server.use(mock.handler)
    const transcript = longTranscript(450)
    const out = await createOpenAiWriter({ apiKey: 'sk-test' }).write({
      transcript,
      template: BUILTIN_TEMPLATES['soap'],
      language: 'en',
    })
    expect(mock.calls).toHaveLength(1)
    expect(mock.calls[0]!.user).not.toContain('part 1 of')
    expect(out.warnings).toEqual(['unclear speech in part 1'])
  })
})
