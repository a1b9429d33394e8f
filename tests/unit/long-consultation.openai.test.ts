// An hour-long consultation through an OpenAI-compatible engine that, like api.openai.com,
// refuses requests over 25 MiB: the API must cut it into chunks and still end in a note whose
// evidence points at the right second. The fake engine holds each request FAKE_LATENCY_MS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../api/src/config.ts'
import { selectProviders } from '../../api/src/providers/select.ts'
import { createOpenAiStt } from '../../api/src/providers/stt/openai.ts'
import type { Note as NoteResponse } from '../../api/src/contract/notes.ts'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { OPENAI_MAX_REQUEST_BYTES, startFakeSttServer } from '../support/fake-stt-server.ts'
import type { FakeSttServer } from '../support/fake-stt-server.ts'
import { LONG_CONSULTATION_SECONDS, longConsultationWav } from '../support/long-consultation.ts'
import { expectEvidenceWithin } from '../support/note-checks.ts'
import { failure } from '../support/provider-test-helpers.ts'
import { toneWithPauses } from '../support/synthetic-pcm.ts'
import { timedVerboseJson, wavSeconds } from '../support/timed-answers.ts'

const FAKE_LATENCY_MS = 250

describe('an hour-long consultation, OpenAI-compatible engine', { timeout: 180_000 }, () => {
  let fake: FakeSttServer
  let wav: Uint8Array
  let h: Harness
  let doc: Awaited<ReturnType<Harness['addUser']>>
  let config: ReturnType<typeof parseConfig>

  beforeAll(async () => {
    wav = await longConsultationWav()
    fake = await startFakeSttServer({
      delayMs: FAKE_LATENCY_MS,
      maxRequestBytes: OPENAI_MAX_REQUEST_BYTES,
      answer: (file) => timedVerboseJson(wavSeconds(file) ?? 0),
      // Audio the engine cannot read: the second chunk (159.5 s) of an 11-minute test file.
      refuse: (file) => (wavSeconds(file) === 159.5 ? 400 : undefined),
    })
    // The providers exactly as the API builds them from its configuration (default limits).
    config = parseConfig({ STT_BASE_URL: fake.baseUrl })
    h = await createHarness({ stt: selectProviders(config).stt })
    doc = await h.addUser('doc@example.org')
  }, 180_000)
  afterAll(async () => {
    await h?.close()
    await fake?.close()
  })

  it('the fake engine refuses the hour sent whole, with OpenAI 413', async () => {
    const whole = createOpenAiStt({
      baseUrl: fake.baseUrl,
      chunks: { maxBytes: 1024 ** 3, maxSeconds: 86_400 },
    })
    const err = await failure(
      whole.transcribe({ bytes: wav, mediaType: 'audio/wav', filename: 'a.wav', language: 'en' })
    )
    expect(err.kind).toBe('permanent')
    expect(err.message).toMatch(
      /^openai returned HTTP 413: Maximum content size limit \(26214400\) exceeded \(\d+ bytes read\)$/
    )
  })

  it('ends in a note whose evidence lies inside the hour, in order', async () => {
    const before = fake.requests
    const answeredBefore = fake.answered
    const started = performance.now()
    const res = await h.upload(doc.token, wav, { language: 'en' })
    expect(res.status).toBe(202)
    const uploaded = (performance.now() - started) / 1000
    const { id } = (await res.json()) as { id: string }
    const done = await h.settle(doc.token, id, 150_000)
    const seconds = (performance.now() - started) / 1000
    expect(done).toMatchObject({ status: 'done' })

    const note = (await (
      await h.request(`/api/notes/${done.note_id}`, { headers: doc.auth })
    ).json()) as NoteResponse
    const counts = expectEvidenceWithin(note, LONG_CONSULTATION_SECONDS)
    const requests = fake.log.slice(before)
    expect(requests.length).toBeGreaterThanOrEqual(6)
    expect(fake.answered - answeredBefore).toBe(requests.length)
    for (const r of requests) expect(r.file!.size).toBeLessThan(OPENAI_MAX_REQUEST_BYTES)
    expect(fake.maxInFlight).toBeLessThanOrEqual(config.STT_CHUNK_CONCURRENCY)
    // The last utterance lies in the last minutes: the last chunk was put back at its place.
    expect(note.transcript.utterances.at(-1)!.start).toBeGreaterThan(LONG_CONSULTATION_SECONDS - 60)
    expect(counts.evidence).toBeGreaterThan(0)
    console.log(
      `[long audio] openai-compatible: 60 min WAV (${(wav.length / 1e6).toFixed(1)} MB) to note in ${seconds.toFixed(1)} s (upload ${uploaded.toFixed(1)} s); ` +
        `${requests.length} chunks, largest ${(Math.max(...requests.map((r) => r.file!.size)) / 1e6).toFixed(1)} MB, ` +
        `${fake.maxInFlight} in flight at most, fake latency ${FAKE_LATENCY_MS} ms a request; ` +
        `${counts.utterances} utterances, ${counts.evidence} evidence pointers`
    )
  })

  it('a chunk failing for good fails the recording, naming the chunk', async () => {
    // 11 minutes with pauses at 5:00 and 8:20: cut at 8:20.5 (the later pause), so the second
    // chunk is 159.5 s long, which the engine refuses.
    const res = await h.upload(doc.token, toneWithPauses(660, [300, 500], 1))
    const { id } = (await res.json()) as { id: string }
    const done = await h.settle(doc.token, id, 30_000)
    expect(done.status).toBe('failed')
    expect(done.reason).toBe(
      'chunk 2 of 2 (8:21–11:00): openai returned HTTP 400: fake failure 400'
    )
  })
})
