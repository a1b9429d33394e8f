import { readFileSync } from 'node:fs'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { createOpenAiStt } from '../../api/src/providers/stt/openai.ts'
import type { AudioInput } from '../../api/src/providers/types.ts'
import { OPENAI_BASE_URL } from '../support/provider-mocks.ts'
import { failure, useProviderServer } from '../support/provider-test-helpers.ts'
import { pcmWav, toneWithPauses } from '../support/synthetic-pcm.ts'
import { timedVerboseJson, wavSeconds } from '../support/timed-answers.ts'

const server = useProviderServer()

type Seen = { index: number; bytes: number; seconds: number | undefined; filename: string }

/**
 * An OpenAI transcription endpoint that answers segments spread over the chunk it received, and
 * fails the requests `fail` picks (1-based order of arrival) with `status`.
 */
function transcriptions(opts: { fail?: (n: number, seconds: number) => number | undefined } = {}) {
  const seen: Seen[] = []
  let inFlight = 0
  let maxInFlight = 0
  const handler = http.post(`${OPENAI_BASE_URL}/audio/transcriptions`, async ({ request }) => {
    const file = (await request.formData()).get('file') as File
    const bytes = new Uint8Array(await file.arrayBuffer())
    const seconds = wavSeconds(bytes)
    const index = seen.length + 1
    seen.push({ index, bytes: bytes.length, seconds, filename: file.name })
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    await new Promise((r) => setTimeout(r, 20))
    inFlight--
    const status = opts.fail?.(index, seconds ?? 0)
    if (status) {
      return HttpResponse.json(
        {
          error: {
            message: `fake failure ${status}`,
            type: 'server_error',
            param: null,
            code: null,
          },
        },
        { status }
      )
    }
    return HttpResponse.json(timedVerboseJson(seconds ?? 0))
  })
  return { handler, seen, maxInFlight: () => maxInFlight }
}

const wavInput = (bytes: Uint8Array): AudioInput => ({
  bytes,
  mediaType: 'audio/wav',
  filename: 'consultation.wav',
  language: 'en',
})

// 100 s with pauses at 20, 45, 70 and 95 s; 30 s chunks cut at 20.5, 45.5 and 70.5 s.
const audio = wavInput(toneWithPauses(100, [20, 45, 70, 95], 1))
const limits = { maxBytes: 24 * 1024 * 1024, maxSeconds: 30, concurrency: 2 }
const fastRetry = { baseMs: 5, capMs: 50 }

describe('openai-compatible speech-to-text, long audio', () => {
  it('sends chunks within the limits and stitches absolute times with unique ids', async () => {
    const mock = transcriptions()
    server.use(mock.handler)
    const stt = createOpenAiStt({ apiKey: 'sk-test', chunks: limits })
    const t = await stt.transcribe(audio)

    expect(mock.seen).toHaveLength(4)
    expect(mock.seen.map((s) => s.filename).sort()).toEqual([
      'consultation.part1of4.wav',
      'consultation.part2of4.wav',
      'consultation.part3of4.wav',
      'consultation.part4of4.wav',
    ])
    for (const s of mock.seen) expect(s.seconds).toBeLessThanOrEqual(30)
    expect(mock.maxInFlight()).toBeLessThanOrEqual(2)
    expect(t.duration_s).toBe(100)
    const ids = t.utterances.map((u) => u.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids[0]).toBe('u1')
    const starts = t.utterances.map((u) => u.start)
    expect(starts).toEqual([...starts].sort((a, b) => a - b))
    // The first segment of each chunk lies 0.5 s after the chunk's cut.
    for (const cut of [20.5, 45.5, 70.5]) expect(starts).toContain(cut + 0.5)
    expect(t.utterances.at(-1)!.end).toBeLessThanOrEqual(100)
  })

  it('sends audio within the limits whole, as before', async () => {
    const mock = transcriptions()
    server.use(mock.handler)
    const small = wavInput(toneWithPauses(20, [5], 1))
    await createOpenAiStt({ apiKey: 'sk-test', chunks: limits }).transcribe(small)
    expect(mock.seen).toEqual([
      { index: 1, bytes: small.bytes.length, seconds: 20, filename: 'consultation.wav' },
    ])
  })

  it('runs no more chunks at once than the concurrency allows', async () => {
    const mock = transcriptions()
    server.use(mock.handler)
    const long = wavInput(pcmWav([{ kind: 'tone', seconds: 120 }]))
    await createOpenAiStt({
      apiKey: 'sk-test',
      chunks: { ...limits, maxSeconds: 10, concurrency: 3 },
    }).transcribe(long)
    expect(mock.seen).toHaveLength(12)
    expect(mock.maxInFlight()).toBe(3)
  })

  it('retries a chunk that fails once, without sending the others again', async () => {
    const mock = transcriptions({ fail: (n) => (n === 2 ? 503 : undefined) })
    server.use(mock.handler)
    const stt = createOpenAiStt({ apiKey: 'sk-test', chunks: limits, chunkRetry: fastRetry })
    const t = await stt.transcribe(audio)
    expect(mock.seen).toHaveLength(5)
    expect(mock.seen.filter((s) => s.filename === 'consultation.part2of4.wav')).toHaveLength(2)
    expect(t.utterances.length).toBeGreaterThan(8)
    expect(t.utterances.at(-1)!.end).toBeLessThanOrEqual(100)
  })

  it('a chunk that fails for good fails the call, naming the chunk and its times', async () => {
    // The last chunk (1:11 to 1:40) is the only one of about 30 s: refuse it every time.
    const mock = transcriptions({
      fail: (_n, seconds) => (Math.round(seconds) === 30 ? 400 : undefined),
    })
    server.use(mock.handler)
    const stt = createOpenAiStt({ apiKey: 'sk-test', chunks: limits, chunkRetry: fastRetry })
    const err = await failure(stt.transcribe(audio))
    expect(err.kind).toBe('permanent')
    expect(err.message).toMatch(
      /^chunk 4 of 4 \(1:11–1:40\): openai returned HTTP 400: fake failure 400$/
    )
  })

  it('a chunk still failing after its retries hands a transient error to the job queue', async () => {
    const mock = transcriptions({ fail: (n) => (n >= 2 ? 503 : undefined) })
    server.use(mock.handler)
    const stt = createOpenAiStt({
      apiKey: 'sk-test',
      chunks: { ...limits, concurrency: 1 },
      chunkRetry: { ...fastRetry, attempts: 3 },
    })
    const err = await failure(stt.transcribe(audio))
    expect(err.kind).toBe('transient')
    expect(err.message).toMatch(/^chunk 2 of 4 \(0:21–0:46\): openai returned HTTP 503/)
    // Chunk 1 once, chunk 2 three times, nothing after it.
    expect(mock.seen).toHaveLength(4)
  })

  it('stops sending chunks when the job is cancelled (shutdown, lost lease)', async () => {
    const mock = transcriptions()
    server.use(mock.handler)
    const ctl = new AbortController()
    const stt = createOpenAiStt({ apiKey: 'sk-test', chunks: { ...limits, concurrency: 1 } })
    const pending = stt.transcribe(audio, ctl.signal)
    while (mock.seen.length === 0) await new Promise((r) => setTimeout(r, 5))
    ctl.abort()
    const err = await failure(pending)
    expect(err.kind).toBe('transient')
    expect(err.message).toContain('aborted')
    await new Promise((r) => setTimeout(r, 100))
    expect(mock.seen).toHaveLength(1)
  })

  it('audio it cannot split fails clearly when over the limit, and goes whole when under', async () => {
    const mock = transcriptions()
    server.use(mock.handler)
    const ogg = {
      ...wavInput(new Uint8Array(2048).fill(7)),
      mediaType: 'audio/ogg',
      filename: 'a.ogg',
    }
    ogg.bytes.set(new TextEncoder().encode('OggS'))
    const stt = createOpenAiStt({ apiKey: 'sk-test', chunks: { ...limits, maxBytes: 1024 } })
    const err = await failure(stt.transcribe(ogg))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('only 16-bit PCM WAV can be cut here')
    expect(err.message).toContain('STT_MAX_CHUNK_MB')
    expect(mock.seen).toHaveLength(0)
    await createOpenAiStt({ apiKey: 'sk-test', chunks: limits }).transcribe(ogg)
    expect(mock.seen).toHaveLength(1)
  })

  it('an Opus recording longer than STT_MAX_CHUNK_SECONDS goes whole: its length is not read here', async () => {
    // The PWA's WebM/Opus (7.2 s) against a 5 s chunk limit: only PCM WAV has a duration the API
    // reads, so a compressed recording under STT_MAX_CHUNK_MB (an hour of 24 kb/s Opus is
    // ~11 MB) is sent as it is, never failed for its length (PWA_RECORD_OPUS is why the stack's
    // slow offline engine keeps WAV).
    const mock = transcriptions()
    server.use(mock.handler)
    const webm: AudioInput = {
      bytes: new Uint8Array(readFileSync('tests/fixtures/audio/speech-opus.webm')),
      mediaType: 'audio/webm',
      filename: 'consultation.webm',
      language: 'en',
    }
    await createOpenAiStt({ apiKey: 'sk-test', chunks: { ...limits, maxSeconds: 5 } }).transcribe(
      webm
    )
    expect(mock.seen).toHaveLength(1)
    expect(mock.seen[0]).toMatchObject({ bytes: webm.bytes.length, filename: 'consultation.webm' })
  })
})
