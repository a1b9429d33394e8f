// An hour-long consultation through Deepgram (msw in place of its API), which takes the file
// whole: no chunks, one request, and a note whose evidence lies inside the hour. The mock holds
// the request FAKE_LATENCY_MS before it answers.
import { delay, http, HttpResponse } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../api/src/config.ts'
import { selectProviders } from '../../api/src/providers/select.ts'
import type { Note as NoteResponse } from '../../api/src/contract/notes.ts'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { LONG_CONSULTATION_SECONDS, longConsultationWav } from '../support/long-consultation.ts'
import { expectEvidenceWithin } from '../support/note-checks.ts'
import { DEEPGRAM_BASE_URL } from '../support/provider-mocks.ts'
import { useProviderServer } from '../support/provider-test-helpers.ts'
import { timedDeepgram, wavSeconds } from '../support/timed-answers.ts'

const FAKE_LATENCY_MS = 250
const server = useProviderServer()

describe('an hour-long consultation, Deepgram', { timeout: 180_000 }, () => {
  let h: Harness
  let wav: Uint8Array

  beforeAll(async () => {
    wav = await longConsultationWav()
    const config = parseConfig({ DEEPGRAM_API_KEY: 'dg-test-key' })
    h = await createHarness({ stt: selectProviders(config).stt })
  }, 180_000)
  afterAll(() => h?.close())

  it('sends the file whole and ends in a note whose evidence lies inside the hour, in order', async () => {
    const sizes: number[] = []
    server.use(
      http.post(`${DEEPGRAM_BASE_URL}/v1/listen`, async ({ request }) => {
        const bytes = new Uint8Array(await request.arrayBuffer())
        sizes.push(bytes.length)
        await delay(FAKE_LATENCY_MS)
        return HttpResponse.json(timedDeepgram(wavSeconds(bytes) ?? 0))
      })
    )
    const doc = await h.addUser('doc@example.org')
    const started = performance.now()
    const res = await h.upload(doc.token, wav, { language: 'en' })
    expect(res.status).toBe(202)
    const uploaded = (performance.now() - started) / 1000
    const { id } = (await res.json()) as { id: string }
    const done = await h.settle(doc.token, id, 150_000)
    const seconds = (performance.now() - started) / 1000
    expect(done).toMatchObject({ status: 'done' })

    expect(sizes).toEqual([wav.length])
    const note = (await (
      await h.request(`/api/notes/${done.note_id}`, { headers: doc.auth })
    ).json()) as NoteResponse
    expect(note.provenance.stt_provider).toBe('deepgram')
    const counts = expectEvidenceWithin(note, LONG_CONSULTATION_SECONDS)
    expect(note.transcript.utterances.at(-1)!.start).toBeGreaterThan(LONG_CONSULTATION_SECONDS - 60)
    expect(counts.evidence).toBeGreaterThan(0)
    console.log(
      `[long audio] deepgram: 60 min WAV (${(wav.length / 1e6).toFixed(1)} MB) to note in ${seconds.toFixed(1)} s (upload ${uploaded.toFixed(1)} s); ` +
        `1 request (no chunks), fake latency ${FAKE_LATENCY_MS} ms; ` +
        `${counts.utterances} utterances, ${counts.evidence} evidence pointers`
    )
  })
})
