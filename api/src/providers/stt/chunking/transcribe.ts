import { clockTime } from '../../../lib/clock-time.ts'
import { abortedError } from '../../errors.ts'
import { ProviderError } from '../../types.ts'
import type { AudioInput, Transcript } from '../../types.ts'
import { planChunks } from './plan.ts'
import type { ChunkSpan } from './plan.ts'
import { withChunkRetry } from './retry.ts'
import type { ChunkRetryOptions } from './retry.ts'
import { findSilences } from './silence.ts'
import { WAV_HEADER_BYTES, parseWavPcm, wavHeader } from './wav.ts'
import type { WavPcm } from './wav.ts'

export type ChunkLimits = {
  /** Largest file one request may carry (OpenAI's hosted limit is 25 MiB for the whole request). */
  maxBytes: number
  /** Longest audio one request may carry. */
  maxSeconds: number
  /** Chunks in flight at once. */
  concurrency: number
}

export type TranscribeOne = (audio: AudioInput, signal: AbortSignal) => Promise<Transcript>

const MiB = 1024 * 1024
const mb = (bytes: number) => `${(bytes / MiB).toFixed(1)} MB`

/** Where to cut a PCM WAV so every piece, header included, is within the limits. */
export function planWavChunks(bytes: Uint8Array, wav: WavPcm, limits: ChunkLimits): ChunkSpan[] {
  const byBytes = Math.floor((limits.maxBytes - WAV_HEADER_BYTES) / wav.blockAlign)
  const bySeconds = Math.floor(limits.maxSeconds * wav.sampleRate)
  const maxFrames = Math.max(wav.sampleRate, Math.min(byBytes, bySeconds))
  if (wav.frames <= maxFrames) return [{ start: 0, end: wav.frames }]
  return planChunks({ totalFrames: wav.frames, maxFrames, silences: findSilences(bytes, wav) })
}

/** One chunk as a WAV file of its own; the only copy made, and only while it is in flight. */
function chunkAudio(audio: AudioInput, wav: WavPcm, span: ChunkSpan, label: string): AudioInput {
  const from = wav.dataOffset + span.start * wav.blockAlign
  const length = (span.end - span.start) * wav.blockAlign
  const bytes = new Uint8Array(WAV_HEADER_BYTES + length)
  bytes.set(wavHeader(wav, length))
  bytes.set(audio.bytes.subarray(from, from + length), WAV_HEADER_BYTES)
  const stem = (audio.filename || 'audio').replace(/\.[^.]*$/, '')
  return { ...audio, bytes, mediaType: 'audio/wav', filename: `${stem}.${label}.wav` }
}

const ms = (s: number) => Math.round(s * 1000) / 1000

/** Joins chunk transcripts: times shifted by each chunk's start, ids numbered anew (u1, u2...). */
export function stitchTranscripts(
  parts: readonly { offsetS: number; transcript: Transcript }[],
  durationS: number
): Transcript {
  const first = parts[0]!.transcript
  let n = 0
  const utterances = parts.flatMap(({ offsetS, transcript }) =>
    transcript.utterances.map((u) => ({
      ...u,
      id: `u${++n}`,
      start: ms(u.start + offsetS),
      end: ms(u.end + offsetS),
    }))
  )
  return { ...first, utterances, duration_s: ms(durationS) }
}

/**
 * Transcribes audio of any length through a provider that takes at most `limits` per request.
 * PCM WAV (what the PWA records) is cut at pauses into chunks sent `concurrency` at a time, each
 * retried on its own; a chunk that still fails fails the whole call, naming the chunk. Other
 * formats cannot be cut without a decoder (none in plain TypeScript): they go whole when small
 * enough, else fail with a permanent error that says so.
 *
 * Memory: the job runner hands over the file already read (it checks the SHA-256 of the whole
 * file, and WebCrypto digests in one call); chunks are views of it, copied with their header
 * only while in flight, so the peak is the file plus `concurrency` chunks.
 */
export async function transcribeInChunks(args: {
  audio: AudioInput
  limits: ChunkLimits
  retry?: ChunkRetryOptions
  transcribeOne: TranscribeOne
  provider: string
  signal?: AbortSignal
}): Promise<Transcript> {
  const { audio, limits, provider } = args
  const outer = args.signal ?? new AbortController().signal
  const wav = parseWavPcm(audio.bytes)
  if (!wav) {
    if (audio.bytes.length > limits.maxBytes) {
      throw new ProviderError(
        provider,
        'permanent',
        `${audio.mediaType || 'the'} audio is ${mb(audio.bytes.length)}, over the ${mb(limits.maxBytes)} a ${provider} request may carry (STT_MAX_CHUNK_MB), and only 16-bit PCM WAV can be cut here (other formats need a decoder the API does not have); use Deepgram or a server that accepts larger files`
      )
    }
    return args.transcribeOne(audio, outer)
  }
  const durationS = wav.frames / wav.sampleRate
  const fits = audio.bytes.length <= limits.maxBytes && durationS <= limits.maxSeconds
  if (fits) return args.transcribeOne(audio, outer)

  const spans = planWavChunks(audio.bytes, wav, limits)
  // One failed chunk stops the others: the recording cannot be stitched without it.
  const stop = new AbortController()
  const onOuterAbort = () => stop.abort(outer.reason)
  outer.addEventListener('abort', onOuterAbort, { once: true })
  const results: Transcript[] = new Array(spans.length)
  let next = 0
  const worker = async () => {
    while (next < spans.length && !stop.signal.aborted) {
      const i = next++
      const span = spans[i]!
      const startS = span.start / wav.sampleRate
      const endS = span.end / wav.sampleRate
      const name = `chunk ${i + 1} of ${spans.length} (${clockTime(startS)}–${clockTime(endS)})`
      try {
        const input = chunkAudio(audio, wav, span, `part${i + 1}of${spans.length}`)
        results[i] = await withChunkRetry(
          () => args.transcribeOne(input, stop.signal),
          stop.signal,
          args.retry
        )
      } catch (err) {
        if (stop.signal.aborted && !outer.aborted) return // another chunk failed first
        stop.abort()
        throw labelled(provider, name, err)
      }
    }
  }
  try {
    const workers = Array.from({ length: Math.min(limits.concurrency, spans.length) }, worker)
    const settled = await Promise.allSettled(workers)
    const failed = settled.find((s) => s.status === 'rejected')
    if (failed) throw failed.reason
  } finally {
    outer.removeEventListener('abort', onOuterAbort)
  }
  if (stop.signal.aborted) throw abortedError(provider)
  return stitchTranscripts(
    results.map((transcript, i) => ({ offsetS: spans[i]!.start / wav.sampleRate, transcript })),
    durationS
  )
}

function labelled(provider: string, name: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) {
    return new ProviderError(err.provider, err.kind, `${name}: ${err.message}`, err.retryAfterMs, {
      cause: err,
    })
  }
  const message = err instanceof Error ? err.message : String(err)
  return new ProviderError(provider, 'permanent', `${name}: ${message}`, undefined, { cause: err })
}
