// Provider answers shaped to the audio they were sent: the fake engines cannot recognise speech,
// but they can read a WAV header and place segments across the whole of what they received,
// so a test can tell whether the API put each chunk's times back at the right second.
import { LONG_CONSULTATION_SCRIPT } from './long-consultation.ts'

/** Seconds of a canonical 44-byte-header PCM WAV, or undefined for anything else. */
export function wavSeconds(bytes: Uint8Array): number | undefined {
  const text = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4))
  if (bytes.length < 44 || text(0) !== 'RIFF' || text(36) !== 'data') return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const byteRate = view.getUint32(28, true)
  return byteRate > 0 ? (bytes.length - 44) / byteRate : undefined
}

/** One segment every `every` seconds, `length` long, while it fits in `seconds`. */
export function timedSegments(seconds: number, every = 8, length = 6) {
  const out: { start: number; end: number; text: string }[] = []
  for (let i = 0, start = 0.5; start + length <= seconds; i++, start += every) {
    const line = LONG_CONSULTATION_SCRIPT[i % LONG_CONSULTATION_SCRIPT.length]!.line
    out.push({ start, end: start + length, text: line })
  }
  return out
}

/** An OpenAI verbose_json answer covering `seconds`. */
export function timedVerboseJson(seconds: number) {
  const segments = timedSegments(seconds).map((s, id) => ({ id, seek: 0, ...s }))
  return {
    task: 'transcribe',
    language: 'english',
    duration: seconds,
    text: segments.map((s) => s.text).join(' '),
    segments,
  }
}

/** A Deepgram pre-recorded answer (utterances, two speakers) covering `seconds`. */
export function timedDeepgram(seconds: number) {
  const utterances = timedSegments(seconds).map((s, i) => ({
    start: s.start,
    end: s.end,
    confidence: 0.95,
    channel: 0,
    transcript: s.text,
    speaker: i % 2,
  }))
  return {
    metadata: { request_id: 'timed', duration: seconds, channels: 1 },
    results: {
      channels: [{ alternatives: [{ transcript: utterances.map((u) => u.transcript).join(' ') }] }],
      utterances,
    },
  }
}
