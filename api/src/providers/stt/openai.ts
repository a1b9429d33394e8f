import { toFile } from 'openai'
import { createOpenAiClient } from '../openai-client.ts'
import { z } from 'zod'
import { fromOpenAiError, malformedResponse, parseProviderBody } from '../errors.ts'
import type { AudioInput, SpeechToText, Transcript } from '../types.ts'
import { transcribeInChunks } from './chunking/transcribe.ts'
import type { ChunkLimits } from './chunking/transcribe.ts'
import type { ChunkRetryOptions } from './chunking/retry.ts'

const PROVIDER = 'openai'
export const OPENAI_STT_DEFAULT_MODEL = 'whisper-1'

export type OpenAiSttOptions = {
  /**
   * Any OpenAI-compatible server, including the API version segment as the `openai` SDK
   * expects (`http://stt:8000/v1`). Default: OpenAI's cloud.
   */
  baseUrl?: string
  /** Optional: self-hosted servers usually need none. */
  apiKey?: string
  /** Default `whisper-1`. */
  model?: string
  /** Per request. Default 120 s. */
  timeoutMs?: number
  fetch?: typeof fetch
  /**
   * What one request may carry; longer audio is cut into chunks (DESIGN §Providers). Defaults:
   * 24 MiB (OpenAI refuses requests over 25 MiB with a 413), 600 s, 2 chunks at a time.
   */
  chunks?: Partial<ChunkLimits>
  /** Per-chunk retries of transient failures. */
  chunkRetry?: ChunkRetryOptions
}

export const DEFAULT_CHUNK_LIMITS: ChunkLimits = {
  maxBytes: 24 * 1024 * 1024,
  maxSeconds: 600,
  concurrency: 2,
}

// verbose_json as OpenAI, whisper.cpp and faster-whisper return it; only what we read.
const VerboseSchema = z.object({
  text: z.string(),
  language: z.string().optional(),
  duration: z.coerce.number().nonnegative().optional(),
  segments: z.array(z.object({ start: z.number(), end: z.number(), text: z.string() })).nullish(),
})

/** Whisper wants ISO-639-1 (`en`), not a BCP-47 tag (`en-US`); `auto` means let it detect. */
function whisperLanguage(language: string): string | undefined {
  if (!language || language === 'auto') return undefined
  return language.split(/[-_]/)[0]?.toLowerCase() || undefined
}

/** Normalises a verbose_json answer; throws a permanent ProviderError if unusable. */
export function toTranscript(raw: unknown, meta: { model: string; language: string }): Transcript {
  let value = raw
  if (typeof value === 'string') {
    // Some servers send JSON as text/plain; anything else (an HTML page...) is malformed.
    try {
      value = JSON.parse(value)
    } catch {
      throw malformedResponse(PROVIDER, 'body is not JSON')
    }
  }
  const body = parseProviderBody(PROVIDER, VerboseSchema, value)
  const segments = (body.segments ?? [])
    .map((s) => ({ start: s.start, end: s.end, text: s.text.trim() }))
    .filter((s) => s.text.length > 0)
  const lastEnd = segments.at(-1)?.end ?? 0
  const duration = body.duration ?? lastEnd
  const text = body.text.trim()
  const drafts = segments.length > 0 ? segments : text ? [{ start: 0, end: duration, text }] : []
  return {
    utterances: drafts.map((d, i) => ({ id: `u${i + 1}`, speaker: 'speaker_0', ...d })),
    language: meta.language || body.language || 'und',
    duration_s: duration,
    provider: PROVIDER,
    model: meta.model,
  }
}

/**
 * Speech-to-text through `/audio/transcriptions` of OpenAI or any compatible server
 * (whisper.cpp, faster-whisper, the stack's offline engine). One speaker: no diarization.
 */
export function createOpenAiStt(opts: OpenAiSttOptions = {}): SpeechToText {
  const model = opts.model ?? OPENAI_STT_DEFAULT_MODEL
  const client = createOpenAiClient(opts)

  /** One request: the whole file when it fits, else one chunk of it. */
  async function transcribeOne(audio: AudioInput, signal: AbortSignal): Promise<Transcript> {
    const language = whisperLanguage(audio.language)
    let raw: unknown
    try {
      const file = await toFile(audio.bytes, audio.filename || 'audio', {
        type: audio.mediaType || 'application/octet-stream',
      })
      raw = await client.audio.transcriptions.create(
        {
          file,
          model,
          response_format: 'verbose_json',
          ...(language ? { language } : {}),
        },
        { signal }
      )
    } catch (err) {
      throw fromOpenAiError(PROVIDER, err, signal)
    }
    return toTranscript(raw, { model, language: audio.language === 'auto' ? '' : audio.language })
  }

  return {
    name: PROVIDER,
    model,
    async transcribe(audio: AudioInput, signal?: AbortSignal): Promise<Transcript> {
      return transcribeInChunks({
        audio,
        limits: { ...DEFAULT_CHUNK_LIMITS, ...opts.chunks },
        retry: opts.chunkRetry,
        provider: PROVIDER,
        signal,
        transcribeOne,
      })
    },
  }
}
