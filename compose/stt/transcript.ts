// Pure: turns pocketsphinx_continuous output into words and segments. No I/O, unit-tested.

/** One recognised token with its time span in seconds from the start of the audio. */
export type Token = { word: string; start: number; end: number; confidence: number }
export type Word = { word: string; start: number; end: number }
export type Segment = { id: number; start: number; end: number; text: string }

// `pocketsphinx_continuous -time yes` prints, per utterance that its voice detector found, the
// hypothesis on one line, then one `word start end confidence` line per token, e.g.
//   the patient
//   <s> 0.000 0.030 0.999400
//   the(2) 0.040 0.330 0.095879
//   </s> 1.350 1.800 1.000000
// Times are from the start of the file. `(2)` marks an alternative pronunciation.
const TOKEN_LINE = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?(?:e[-+]?\d+)?)$/i
// Silence, sentence marks and noise models: not words.
const FILLER = /^(<s>|<\/s>|<sil>|\[[^\]]*\]|\+\+[^+]*\+\+|\(null\))$/i

/** Splits the output into utterances of tokens (fillers included). */
export function parsePocketsphinx(stdout: string): Token[][] {
  const utterances: Token[][] = []
  let current: Token[] = []
  const close = () => {
    if (current.length > 0) utterances.push(current)
    current = []
  }
  for (const raw of stdout.split('\n')) {
    const line = raw.trim()
    if (!line) continue
    const m = TOKEN_LINE.exec(line)
    if (!m) {
      close() // a hypothesis line starts the next utterance
      continue
    }
    const [, word = '', start = '0', end = '0', confidence = '0'] = m
    if (word === '<s>') close()
    current.push({ word, start: Number(start), end: Number(end), confidence: Number(confidence) })
  }
  close()
  return utterances
}

const isWord = (t: Token): boolean => !FILLER.test(t.word)
const spelling = (word: string): string => word.replace(/\(\d+\)$/, '')

/** The words of an utterance, without fillers and pronunciation marks. */
export function wordsOf(utterance: Token[]): Word[] {
  return utterance
    .filter(isWord)
    .map((t) => ({ word: spelling(t.word), start: t.start, end: t.end }))
}

export type SegmentOptions = {
  /** A silence at least this long inside an utterance starts a new segment. Default 0.6 s. */
  pause?: number
  /** A segment is cut before it grows past this many seconds. Default 30 s. */
  maxLength?: number
}

/** Segments split at the recogniser's utterance breaks and at long pauses within them. */
export function toSegments(utterances: Token[][], opts: SegmentOptions = {}): Segment[] {
  const pause = opts.pause ?? 0.6
  const maxLength = opts.maxLength ?? 30
  const groups: Word[][] = []
  for (const utterance of utterances) {
    let group: Word[] = []
    for (const w of wordsOf(utterance)) {
      const last = group.at(-1)
      const first = group[0]
      if (last && first && (w.start - last.end >= pause || w.end - first.start > maxLength)) {
        groups.push(group)
        group = []
      }
      group.push(w)
    }
    if (group.length > 0) groups.push(group)
  }
  return groups.map((g, id) => ({
    id,
    start: round(g[0]?.start ?? 0),
    end: round(g.at(-1)?.end ?? 0),
    text: g.map((w) => w.word).join(' '),
  }))
}

export const round = (s: number): number => Math.round(s * 1000) / 1000

export type VerboseTranscription = {
  task: 'transcribe'
  language: 'en'
  duration: number
  text: string
  segments: Segment[]
  words?: Word[]
}

/** OpenAI's verbose_json shape (the fields whisper servers fill that this engine can). */
export function toVerbose(
  utterances: Token[][],
  duration: number,
  withWords = false
): VerboseTranscription {
  const segments = toSegments(utterances)
  const words = utterances.flatMap(wordsOf).map((w) => ({ ...w, start: round(w.start) }))
  return {
    task: 'transcribe',
    language: 'en',
    duration: round(duration),
    text: segments.map((s) => s.text).join(' '),
    segments,
    ...(withWords ? { words: words.map((w) => ({ ...w, end: round(w.end) })) } : {}),
  }
}
