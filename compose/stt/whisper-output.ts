// Pure: turns whisper-ctranslate2's `--output_format json` file into OpenAI's verbose_json.
// No I/O, unit-tested with a file the real command wrote.
import { round } from './transcript.ts'
import type { Segment, VerboseTranscription, Word } from './transcript.ts'

type WhisperWord = { start: number; end: number; word: string; probability?: number }
type WhisperSegment = { start: number; end: number; text: string; words?: WhisperWord[] }
export type WhisperJson = { text?: string; segments?: WhisperSegment[]; language?: string }

const clean = (text: string): string => text.replace(/\s+/g, ' ').trim()

export function whisperToVerbose(
  json: WhisperJson,
  duration: number,
  withWords = false
): VerboseTranscription {
  const segments: Segment[] = (json.segments ?? [])
    .map((s) => ({ start: round(s.start), end: round(s.end), text: clean(s.text) }))
    .filter((s) => s.text !== '')
    .map((s, id) => ({ id, ...s }))
  const words: Word[] = (json.segments ?? []).flatMap((s) =>
    (s.words ?? [])
      .map((w) => ({ word: clean(w.word), start: round(w.start), end: round(w.end) }))
      .filter((w) => w.word !== '')
  )
  return {
    task: 'transcribe',
    language: 'en',
    duration: round(duration),
    text: segments.map((s) => s.text).join(' '),
    segments,
    ...(withWords ? { words } : {}),
  }
}
