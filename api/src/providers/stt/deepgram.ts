import { DeepgramClient, DeepgramError, DeepgramTimeoutError } from '@deepgram/sdk'
import { z } from 'zod'
import type { Utterance } from '../../contract/soap-note.ts'
import {
  abortedError,
  errorDetail,
  fromHttpStatus,
  malformedResponse,
  networkError,
  parseProviderBody,
} from '../errors.ts'
import { ProviderError } from '../types.ts'
import type { AudioInput, SpeechToText, Transcript } from '../types.ts'

const PROVIDER = 'deepgram'
export const DEEPGRAM_DEFAULT_MODEL = 'nova-3-medical'
const DEFAULT_TIMEOUT_MS = 120_000
/** Words further apart than this start a new utterance when we rebuild them from words. */
const WORD_GAP_S = 1.0

export type DeepgramSttOptions = {
  apiKey: string
  /** Default `nova-3-medical`. */
  model?: string
  /** Terms to boost (`keyterm`, Nova-3 only): drug names, clinic names... */
  keyterms?: string[]
  /** A self-hosted Deepgram, e.g. `http://deepgram:8080`. Default: Deepgram's cloud. */
  baseUrl?: string
  /** Per request. Default 120 s. */
  timeoutMs?: number
}

// Only the fields we read; anything else in the answer is ignored.
const WordSchema = z.object({
  word: z.string(),
  punctuated_word: z.string().optional(),
  start: z.number(),
  end: z.number(),
  speaker: z.number().int().nonnegative().optional(),
})

const ParagraphsSchema = z.object({
  paragraphs: z.array(
    z.object({
      speaker: z.number().int().nonnegative().optional(),
      start: z.number(),
      end: z.number(),
      sentences: z.array(z.object({ text: z.string(), start: z.number(), end: z.number() })),
    })
  ),
})

const ResponseSchema = z.object({
  metadata: z.object({ duration: z.number().nonnegative() }),
  results: z.object({
    channels: z
      .array(
        z.object({
          detected_language: z.string().optional(),
          alternatives: z
            .array(
              z.object({
                transcript: z.string(),
                words: z.array(WordSchema).optional(),
                paragraphs: ParagraphsSchema.optional(),
              })
            )
            .min(1),
        })
      )
      .min(1),
    utterances: z
      .array(
        z.object({
          start: z.number(),
          end: z.number(),
          transcript: z.string(),
          speaker: z.number().int().nonnegative().optional(),
        })
      )
      .optional(),
  }),
})
type DeepgramResponse = z.infer<typeof ResponseSchema>
type Word = z.infer<typeof WordSchema>
type Draft = Omit<Utterance, 'id'>

const speakerLabel = (n: number | undefined) => `speaker_${n ?? 0}`

function fromWords(words: Word[]): Draft[] {
  const drafts: Draft[] = []
  let current: { speaker: number | undefined; start: number; end: number; parts: string[] } | null =
    null
  for (const w of words) {
    const text = w.punctuated_word ?? w.word
    if (current && current.speaker === w.speaker && w.start - current.end <= WORD_GAP_S) {
      current.parts.push(text)
      current.end = w.end
      continue
    }
    if (current) drafts.push(finish(current))
    current = { speaker: w.speaker, start: w.start, end: w.end, parts: [text] }
  }
  if (current) drafts.push(finish(current))
  return drafts

  function finish(c: NonNullable<typeof current>): Draft {
    return { speaker: speakerLabel(c.speaker), start: c.start, end: c.end, text: c.parts.join(' ') }
  }
}

/** Utterances when Deepgram sent them; otherwise paragraphs, words, or the bare transcript. */
function toDrafts(body: DeepgramResponse): Draft[] {
  const { utterances, channels } = body.results
  if (utterances && utterances.length > 0) {
    return utterances.map((u) => ({
      speaker: speakerLabel(u.speaker),
      start: u.start,
      end: u.end,
      text: u.transcript,
    }))
  }
  const alternative = channels[0]?.alternatives[0]
  if (!alternative) return []
  const paragraphs = alternative.paragraphs?.paragraphs ?? []
  if (paragraphs.length > 0) {
    return paragraphs.map((p) => ({
      speaker: speakerLabel(p.speaker),
      start: p.start,
      end: p.end,
      text: p.sentences.map((s) => s.text).join(' '),
    }))
  }
  if (alternative.words && alternative.words.length > 0) return fromWords(alternative.words)
  return [
    {
      speaker: speakerLabel(0),
      start: 0,
      end: body.metadata.duration,
      text: alternative.transcript,
    },
  ]
}

/** Normalises a Deepgram pre-recorded answer; throws a permanent ProviderError if unusable. */
export function toTranscript(raw: unknown, meta: { model: string; language: string }): Transcript {
  const body = parseProviderBody(PROVIDER, ResponseSchema, raw)
  const utterances = toDrafts(body)
    .map((d) => ({ ...d, text: d.text.trim() }))
    .filter((d) => d.text.length > 0)
    .map((d, i) => ({ id: `u${i + 1}`, ...d }))
  return {
    utterances,
    language: meta.language || body.results.channels[0]?.detected_language || 'und',
    duration_s: body.metadata.duration,
    provider: PROVIDER,
    model: meta.model,
  }
}

function toProviderError(err: unknown, signal: AbortSignal | undefined): ProviderError {
  if (err instanceof ProviderError) return err
  if (signal?.aborted) return abortedError(PROVIDER, err)
  if (err instanceof DeepgramTimeoutError) return networkError(PROVIDER, 'timed out', err)
  if (err instanceof DeepgramError) {
    const status = err.statusCode
    if (status === undefined) {
      // No HTTP answer: DNS, refused connection, reset, or the SDK's timeout signal.
      const timedOut = /timeout/i.test(err.message)
      return networkError(PROVIDER, timedOut ? 'timed out' : `unreachable: ${err.message}`, err)
    }
    if (status >= 200 && status < 300) return malformedResponse(PROVIDER, 'body is not JSON', err)
    return fromHttpStatus(PROVIDER, status, err.rawResponse?.headers, errorDetail(err.body), {
      cause: err,
    })
  }
  const message = err instanceof Error ? err.message : String(err)
  return new ProviderError(
    PROVIDER,
    'permanent',
    `${PROVIDER} call failed: ${message}`,
    undefined,
    {
      cause: err,
    }
  )
}

/** Deepgram pre-recorded transcription with diarization (DESIGN §Providers). */
export function createDeepgramStt(opts: DeepgramSttOptions): SpeechToText {
  const model = opts.model ?? DEEPGRAM_DEFAULT_MODEL
  const client = new DeepgramClient({
    apiKey: opts.apiKey,
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
    // The durable job queue retries; SDK retries would multiply attempts and hide outages.
    maxRetries: 0,
    timeoutInSeconds: (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000,
  })
  const keyterms = (opts.keyterms ?? []).map((k) => k.trim()).filter(Boolean)

  return {
    name: PROVIDER,
    model,
    async transcribe(audio: AudioInput, signal?: AbortSignal): Promise<Transcript> {
      const language = audio.language && audio.language !== 'auto' ? audio.language : undefined
      let data: unknown
      try {
        data = await client.listen.v1.media.transcribeFile(
          // No filename: it would go into a Content-Disposition header, which must be Latin-1.
          { data: audio.bytes, ...(audio.mediaType ? { contentType: audio.mediaType } : {}) },
          {
            model,
            diarize: true,
            utterances: true,
            smart_format: true,
            punctuate: true,
            ...(keyterms.length > 0 ? { keyterm: keyterms } : {}),
            ...(language ? { language } : { detect_language: true }),
          },
          { maxRetries: 0, ...(signal ? { abortSignal: signal } : {}) }
        )
      } catch (err) {
        throw toProviderError(err, signal)
      }
      return toTranscript(data, { model, language: language ?? '' })
    },
  }
}
