import { describe, expect, it } from 'vitest'
import { createDeepgramStt } from '../../api/src/providers/stt/deepgram.ts'
import type { AudioInput } from '../../api/src/providers/types.ts'
import {
  createRequestRecorder,
  deepgramListen,
  deepgramParams,
  fixtures,
} from '../support/provider-mocks.ts'
import { failure, useProviderServer } from '../support/provider-test-helpers.ts'

const server = useProviderServer()

const audio: AudioInput = {
  bytes: new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3, 4]),
  mediaType: 'audio/webm',
  filename: 'consultation.webm',
  language: 'en',
}

describe('deepgram speech-to-text', () => {
  it('maps utterances to a diarized transcript', async () => {
    server.use(deepgramListen().success())
    const stt = createDeepgramStt({ apiKey: 'dg-test-key' })
    const t = await stt.transcribe(audio)

    expect(stt.name).toBe('deepgram')
    expect(stt.model).toBe('nova-3-medical')
    expect(t.provider).toBe('deepgram')
    expect(t.model).toBe('nova-3-medical')
    expect(t.language).toBe('en')
    expect(t.duration_s).toBe(39.712)
    expect(t.utterances).toHaveLength(8)
    expect(t.utterances.map((u) => u.id)).toEqual(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'])
    expect(new Set(t.utterances.map((u) => u.speaker))).toEqual(new Set(['speaker_0', 'speaker_1']))
    expect(t.utterances[0]).toEqual({
      id: 'u1',
      speaker: 'speaker_0',
      start: 0.48,
      end: 3.08,
      text: 'Good morning, Mr. Alvarez. What brings you in today?',
    })
    expect(t.utterances[1]?.speaker).toBe('speaker_1')
    expect(t.utterances[4]?.text).toContain('150/95')
    expect(t.utterances[5]?.text).toContain('amlodipine 5 mg')
  })

  it('sends nova-3-medical with diarize, utterances, smart_format and keyterms', async () => {
    const recorder = createRequestRecorder()
    server.use(deepgramListen({ recorder }).success())
    const stt = createDeepgramStt({ apiKey: 'dg-test-key', keyterms: ['amlodipine', 'lisinopril'] })
    await stt.transcribe(audio)

    expect(recorder.requests).toHaveLength(1)
    const sent = recorder.last()
    expect(sent.method).toBe('POST')
    expect(sent.url.origin + sent.url.pathname).toBe('https://api.deepgram.com/v1/listen')
    expect(deepgramParams(sent)).toEqual({
      model: 'nova-3-medical',
      diarize: 'true',
      utterances: 'true',
      smart_format: 'true',
      punctuate: 'true',
      language: 'en',
      detect_language: null,
      keyterm: ['amlodipine', 'lisinopril'],
      authorization: 'Token dg-test-key',
      contentType: 'audio/webm',
    })
    expect([...sent.bytes]).toEqual([...audio.bytes])
  })

  it('uses a custom base URL and model, and detects the language when asked to', async () => {
    const recorder = createRequestRecorder()
    server.use(deepgramListen({ baseUrl: 'http://deepgram.internal:8080', recorder }).success())
    const stt = createDeepgramStt({
      apiKey: 'k',
      model: 'nova-3',
      baseUrl: 'http://deepgram.internal:8080',
    })
    const t = await stt.transcribe({ ...audio, language: 'auto' })

    const params = deepgramParams(recorder.last())
    expect(params.model).toBe('nova-3')
    expect(params.language).toBeNull()
    expect(params.detect_language).toBe('true')
    expect(params.keyterm).toEqual([])
    expect(t.model).toBe('nova-3')
    expect(t.utterances).toHaveLength(8)
  })

  it('falls back to paragraphs, then words, when utterances are absent', async () => {
    const noUtterances = fixtures.deepgramPrerecorded() as Record<string, unknown> & {
      results: Record<string, unknown>
    }
    delete noUtterances.results.utterances
    server.use(deepgramListen().success(noUtterances))
    const fromParagraphs = await createDeepgramStt({ apiKey: 'k' }).transcribe(audio)
    // Paragraphs merge consecutive turns of one speaker: 7 paragraphs for 8 utterances.
    expect(fromParagraphs.utterances).toHaveLength(7)
    expect(fromParagraphs.utterances[4]).toMatchObject({ id: 'u5', speaker: 'speaker_0' })
    expect(fromParagraphs.utterances[4]?.text).toContain('150/95')
    expect(fromParagraphs.utterances[4]?.text).toContain('amlodipine')

    const wordsOnly = fixtures.deepgramPrerecorded()
    const alternative = wordsOnly.results.channels[0]!.alternatives[0]! as Record<string, unknown>
    delete alternative.paragraphs
    delete (wordsOnly.results as Record<string, unknown>).utterances
    server.use(deepgramListen().success(wordsOnly))
    const fromWords = await createDeepgramStt({ apiKey: 'k' }).transcribe(audio)
    // Words split on speaker changes and on pauses longer than a second.
    expect(fromWords.utterances.map((u) => u.speaker)).toEqual([
      'speaker_0',
      'speaker_1',
      'speaker_0',
      'speaker_1',
      'speaker_0',
      'speaker_1',
      'speaker_0',
    ])
    expect(fromWords.utterances[0]?.text).toBe(
      'Good morning, Mr. Alvarez. What brings you in today?'
    )
  })

  it('401 is transient: an operator can fix the key, the recording waits', async () => {
    server.use(deepgramListen().unauthorized())
    const err = await failure(createDeepgramStt({ apiKey: 'bad' }).transcribe(audio))
    expect(err.kind).toBe('transient')
    expect(err.provider).toBe('deepgram')
    expect(err.message).toBe('deepgram rejected the API key (401)')
    expect(err.message).not.toContain('bad')
  })

  it('403 is transient too', async () => {
    server.use(deepgramListen().forbidden())
    const err = await failure(createDeepgramStt({ apiKey: 'k' }).transcribe(audio))
    expect(err.kind).toBe('transient')
    expect(err.message).toBe('deepgram rejected the API key (403)')
  })

  it('429 is transient with retryAfterMs from retry-after seconds', async () => {
    const recorder = createRequestRecorder()
    server.use(deepgramListen({ recorder }).rateLimited('7'))
    const err = await failure(createDeepgramStt({ apiKey: 'k' }).transcribe(audio))
    expect(err.kind).toBe('transient')
    expect(err.retryAfterMs).toBe(7000)
    // The SDK does not retry by itself: the job queue does.
    expect(recorder.requests).toHaveLength(1)
  })

  it('429 with an HTTP-date retry-after', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString()
    server.use(deepgramListen().rateLimited(at))
    const err = await failure(createDeepgramStt({ apiKey: 'k' }).transcribe(audio))
    expect(err.kind).toBe('transient')
    expect(err.retryAfterMs).toBeGreaterThan(25_000)
    expect(err.retryAfterMs).toBeLessThanOrEqual(30_000)
  })

  it('500 is transient, without retrying inside the SDK', async () => {
    const recorder = createRequestRecorder()
    server.use(deepgramListen({ recorder }).serverError())
    const err = await failure(createDeepgramStt({ apiKey: 'k' }).transcribe(audio))
    expect(err.kind).toBe('transient')
    expect(err.message).toContain('500')
    expect(recorder.requests).toHaveLength(1)
  })

  it('a timeout is transient', async () => {
    server.use(deepgramListen().slow(2000))
    const started = Date.now()
    const err = await failure(createDeepgramStt({ apiKey: 'k', timeoutMs: 200 }).transcribe(audio))
    expect(err.kind).toBe('transient')
    expect(err.message).toContain('timed out')
    expect(Date.now() - started).toBeLessThan(1500)
  })

  it('a network error is transient', async () => {
    server.use(deepgramListen().networkError())
    const err = await failure(createDeepgramStt({ apiKey: 'k' }).transcribe(audio))
    expect(err.kind).toBe('transient')
  })

  it('400 (unreadable audio) is permanent', async () => {
    server.use(deepgramListen().badRequest())
    const err = await failure(createDeepgramStt({ apiKey: 'k' }).transcribe(audio))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('corrupt or unsupported data')
  })

  it('a 200 body of the wrong shape is permanent', async () => {
    server.use(deepgramListen().malformed())
    const err = await failure(createDeepgramStt({ apiKey: 'k' }).transcribe(audio))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('malformed response')
  })

  it('a 200 body that is not JSON is permanent', async () => {
    server.use(deepgramListen().malformed('html'))
    const err = await failure(createDeepgramStt({ apiKey: 'k' }).transcribe(audio))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('malformed response')
  })

  it('our own abort signal ends the call as transient', async () => {
    server.use(deepgramListen().slow(2000))
    const controller = new AbortController()
    const call = createDeepgramStt({ apiKey: 'k' }).transcribe(audio, controller.signal)
    setTimeout(() => controller.abort(), 50)
    const err = await failure(call)
    expect(err.kind).toBe('transient')
    expect(err.message).toContain('aborted')
  })
})
