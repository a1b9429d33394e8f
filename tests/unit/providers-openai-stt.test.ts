import { describe, expect, it } from 'vitest'
import { createOpenAiStt } from '../../api/src/providers/stt/openai.ts'
import type { AudioInput } from '../../api/src/providers/types.ts'
import { createRequestRecorder, fixtures, openAiTranscriptions } from '../support/provider-mocks.ts'
import { failure, useProviderServer } from '../support/provider-test-helpers.ts'

const server = useProviderServer()

const audio: AudioInput = {
  bytes: new Uint8Array([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 5, 6]),
  mediaType: 'audio/wav',
  filename: 'consultation.wav',
  language: 'en-US',
}

describe('openai-compatible speech-to-text', () => {
  it('maps verbose_json segments to utterances', async () => {
    server.use(openAiTranscriptions().success())
    const stt = createOpenAiStt({ apiKey: 'sk-test' })
    const t = await stt.transcribe(audio)

    expect(stt.name).toBe('openai')
    expect(stt.model).toBe('whisper-1')
    expect(t).toMatchObject({
      provider: 'openai',
      model: 'whisper-1',
      language: 'en-US',
      duration_s: 39.712,
    })
    expect(t.utterances).toHaveLength(8)
    expect(t.utterances[0]).toEqual({
      id: 'u1',
      speaker: 'speaker_0',
      start: 0.48,
      end: 3.12,
      text: 'Good morning, Mr. Alvarez. What brings you in today?',
    })
    expect(t.utterances.every((u) => u.speaker === 'speaker_0')).toBe(true)
    expect(t.utterances[4]?.text).toContain('150/95')
  })

  it('sends the file, model, verbose_json and an ISO-639-1 language', async () => {
    const recorder = createRequestRecorder()
    server.use(openAiTranscriptions({ recorder }).success())
    await createOpenAiStt({ apiKey: 'sk-test' }).transcribe(audio)

    const sent = recorder.last()
    expect(sent.url.href).toBe('https://api.openai.com/v1/audio/transcriptions')
    expect(sent.headers.get('authorization')).toBe('Bearer sk-test')
    expect(sent.form).toEqual({
      file: { name: 'consultation.wav', type: 'audio/wav', size: audio.bytes.length },
      model: 'whisper-1',
      response_format: 'verbose_json',
      language: 'en',
    })
  })

  it('works against a self-hosted server without an API key', async () => {
    const recorder = createRequestRecorder()
    const baseUrl = 'http://stt.internal:8000/v1'
    server.use(openAiTranscriptions({ baseUrl, recorder }).success())
    const stt = createOpenAiStt({ baseUrl, model: 'Systran/faster-whisper-small' })
    const t = await stt.transcribe({ ...audio, language: 'auto' })

    expect(recorder.last().url.href).toBe('http://stt.internal:8000/v1/audio/transcriptions')
    expect(recorder.last().form?.model).toBe('Systran/faster-whisper-small')
    expect(recorder.last().form?.language).toBeUndefined()
    expect(t.model).toBe('Systran/faster-whisper-small')
    // With no language asked for, the detected one is kept.
    expect(t.language).toBe('english')
  })

  it('uses a custom fetch when given one', async () => {
    const seen: string[] = []
    server.use(openAiTranscriptions().success())
    const stt = createOpenAiStt({
      fetch: (input, init) => {
        const url = String(input instanceof Request ? input.url : input)
        if (!url.startsWith('data:')) seen.push(url)
        return fetch(input, init)
      },
    })
    await stt.transcribe(audio)
    expect(seen).toEqual(['https://api.openai.com/v1/audio/transcriptions'])
  })

  it('without segments, one utterance spans the duration', async () => {
    const body = { ...fixtures.openAiTranscription(), segments: undefined }
    server.use(openAiTranscriptions().success(JSON.parse(JSON.stringify(body))))
    const t = await createOpenAiStt().transcribe(audio)
    expect(t.utterances).toEqual([
      { id: 'u1', speaker: 'speaker_0', start: 0, end: 39.712, text: body.text },
    ])
  })

  it('a bare {text} answer gives one utterance from 0 to 0', async () => {
    server.use(openAiTranscriptions().success({ text: ' Blood pressure is 150/95. ' }))
    const t = await createOpenAiStt().transcribe(audio)
    expect(t.duration_s).toBe(0)
    expect(t.utterances).toEqual([
      { id: 'u1', speaker: 'speaker_0', start: 0, end: 0, text: 'Blood pressure is 150/95.' },
    ])
  })

  it('silence gives no utterances', async () => {
    server.use(openAiTranscriptions().success({ text: '', duration: 3.5, segments: [] }))
    const t = await createOpenAiStt().transcribe(audio)
    expect(t.utterances).toEqual([])
    expect(t.duration_s).toBe(3.5)
  })

  it('401 is transient', async () => {
    server.use(openAiTranscriptions().unauthorized())
    const err = await failure(createOpenAiStt({ apiKey: 'sk-bad' }).transcribe(audio))
    expect(err.kind).toBe('transient')
    expect(err.message).toBe('openai rejected the API key (401)')
  })

  it('429 is transient with retryAfterMs from the header', async () => {
    const recorder = createRequestRecorder()
    server.use(openAiTranscriptions({ recorder }).rateLimited('12'))
    const err = await failure(createOpenAiStt().transcribe(audio))
    expect(err.kind).toBe('transient')
    expect(err.retryAfterMs).toBe(12_000)
    expect(recorder.requests).toHaveLength(1)
  })

  it('500 is transient, without retrying inside the SDK', async () => {
    const recorder = createRequestRecorder()
    server.use(openAiTranscriptions({ recorder }).serverError(503))
    const err = await failure(createOpenAiStt().transcribe(audio))
    expect(err.kind).toBe('transient')
    expect(err.message).toContain('503')
    expect(recorder.requests).toHaveLength(1)
  })

  it('a timeout is transient', async () => {
    server.use(openAiTranscriptions().slow(2000))
    const started = Date.now()
    const err = await failure(createOpenAiStt({ timeoutMs: 200 }).transcribe(audio))
    expect(err.kind).toBe('transient')
    expect(err.message).toContain('timed out')
    expect(Date.now() - started).toBeLessThan(1500)
  })

  it('a network error is transient', async () => {
    server.use(openAiTranscriptions().networkError())
    const err = await failure(createOpenAiStt().transcribe(audio))
    expect(err.kind).toBe('transient')
  })

  it('400 (unreadable audio) is permanent', async () => {
    server.use(openAiTranscriptions().badRequest())
    const err = await failure(createOpenAiStt().transcribe(audio))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('corrupted or unsupported')
  })

  it('a 200 body of the wrong shape is permanent', async () => {
    server.use(openAiTranscriptions().malformed())
    const err = await failure(createOpenAiStt().transcribe(audio))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('malformed response')
  })

  it('a 200 HTML page is permanent', async () => {
    server.use(openAiTranscriptions().malformed('html'))
    const err = await failure(createOpenAiStt().transcribe(audio))
    expect(err.kind).toBe('permanent')
    expect(err.message).toContain('malformed response')
  })
})
