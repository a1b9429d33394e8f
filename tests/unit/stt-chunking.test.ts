import { describe, expect, it } from 'vitest'
import { parseWavPcm } from '../../api/src/providers/stt/chunking/wav.ts'
import { findSilences } from '../../api/src/providers/stt/chunking/silence.ts'
import type { Silence } from '../../api/src/providers/stt/chunking/silence.ts'
import { planChunks } from '../../api/src/providers/stt/chunking/plan.ts'
import {
  planWavChunks,
  stitchTranscripts,
} from '../../api/src/providers/stt/chunking/transcribe.ts'
import type { Transcript } from '../../api/src/providers/types.ts'
import { pcmWav, toneWithPauses } from '../support/synthetic-pcm.ts'

const RATE = 16_000
const sec = (frames: number) => frames / RATE

describe('silence detection', () => {
  it('finds pauses of digital silence where they were placed', () => {
    const bytes = toneWithPauses(30, [5, 12.5, 20], 1)
    const wav = parseWavPcm(bytes)!
    const found = findSilences(bytes, wav).map((s) => [sec(s.start), sec(s.end)])
    expect(found).toHaveLength(3)
    for (const [i, at] of [5, 12.5, 20].entries()) {
      expect(found[i]![0]).toBeCloseTo(at, 1)
      expect(found[i]![1]).toBeCloseTo(at + 1, 1)
    }
  })

  it('finds pauses of faint hiss (a real room), judged against the noise floor', () => {
    const bytes = toneWithPauses(30, [4, 18], 1.5, 'hiss')
    const found = findSilences(bytes, parseWavPcm(bytes)!)
    expect(found.map((s) => Math.round(sec(s.start) * 10) / 10)).toEqual([4, 18])
  })

  it('ignores gaps shorter than the minimum pause, and finds none in continuous sound', () => {
    const short = toneWithPauses(10, [3, 6], 0.1)
    expect(findSilences(short, parseWavPcm(short)!)).toEqual([])
    const loud = pcmWav([{ kind: 'tone', seconds: 10 }])
    expect(findSilences(loud, parseWavPcm(loud)!)).toEqual([])
  })
})

describe('chunk planning', () => {
  const check = (chunks: { start: number; end: number }[], total: number, max: number) => {
    expect(chunks[0]!.start).toBe(0)
    expect(chunks.at(-1)!.end).toBe(total)
    for (const [i, c] of chunks.entries()) {
      expect(c.end - c.start).toBeGreaterThan(0)
      expect(c.end - c.start).toBeLessThanOrEqual(max)
      if (i > 0) expect(c.start).toBe(chunks[i - 1]!.end)
    }
  }

  it('cuts inside the pauses placed in the second half of each window', () => {
    const pauses: Silence[] = [20, 45, 70, 95].map((s) => ({
      start: s * RATE,
      end: (s + 1) * RATE,
    }))
    const chunks = planChunks({ totalFrames: 100 * RATE, maxFrames: 30 * RATE, silences: pauses })
    check(chunks, 100 * RATE, 30 * RATE)
    const cuts = chunks.slice(0, -1).map((c) => c.end)
    expect(cuts.map(sec)).toEqual([20.5, 45.5, 70.5])
    for (const cut of cuts) expect(pauses.some((p) => cut >= p.start && cut < p.end)).toBe(true)
  })

  it('prefers the latest pause in the window, and never one in its first half', () => {
    const pauses: Silence[] = [5, 22, 27].map((s) => ({ start: s * RATE, end: (s + 0.5) * RATE }))
    const chunks = planChunks({ totalFrames: 50 * RATE, maxFrames: 30 * RATE, silences: pauses })
    expect(sec(chunks[0]!.end)).toBe(27.25)
  })

  it('without any pause cuts at the hard limit', () => {
    const chunks = planChunks({ totalFrames: 100 * RATE, maxFrames: 30 * RATE, silences: [] })
    expect(chunks.map((c) => sec(c.end))).toEqual([30, 60, 90, 100])
  })

  it('keeps every chunk within the limit for any layout of pauses', () => {
    let seed = 7
    const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647
    for (let round = 0; round < 50; round++) {
      const total = Math.floor(RATE * (60 + rnd() * 3000))
      const max = Math.floor(RATE * (10 + rnd() * 600))
      const silences: Silence[] = []
      for (let t = rnd() * RATE * 20; t < total; t += rnd() * RATE * 40) {
        const end = Math.min(total, t + RATE * (0.3 + rnd() * 3))
        silences.push({ start: Math.floor(t), end: Math.floor(end) })
        t = end
      }
      check(planChunks({ totalFrames: total, maxFrames: max, silences }), total, max)
    }
  })

  it('a real WAV is cut in its pauses, and each chunk with its header fits the byte limit', () => {
    const bytes = toneWithPauses(100, [20, 45, 70, 95], 1)
    const wav = parseWavPcm(bytes)!
    const maxBytes = 44 + 30 * RATE * 2
    const chunks = planWavChunks(bytes, wav, { maxBytes, maxSeconds: 600, concurrency: 2 })
    expect(chunks.slice(0, -1).map((c) => Math.round(sec(c.end)))).toEqual([21, 46, 71])
    for (const c of chunks) expect(44 + (c.end - c.start) * 2).toBeLessThanOrEqual(maxBytes)
    const continuous = pcmWav([{ kind: 'tone', seconds: 100 }])
    const hard = planWavChunks(continuous, parseWavPcm(continuous)!, {
      maxBytes: 10 * 1024 * 1024,
      maxSeconds: 40,
      concurrency: 2,
    })
    expect(hard.map((c) => sec(c.end))).toEqual([40, 80, 100])
  })

  it('a WAV within both limits stays one chunk', () => {
    const bytes = toneWithPauses(20, [5], 1)
    const wav = parseWavPcm(bytes)!
    expect(planWavChunks(bytes, wav, { maxBytes: 1e9, maxSeconds: 600, concurrency: 2 })).toEqual([
      { start: 0, end: wav.frames },
    ])
  })
})

describe('wav reading', () => {
  it('reads the PCM layout, and refuses what it cannot cut', () => {
    const bytes = pcmWav([{ kind: 'tone', seconds: 2 }])
    expect(parseWavPcm(bytes)).toMatchObject({
      sampleRate: RATE,
      channels: 1,
      bitsPerSample: 16,
      blockAlign: 2,
      dataOffset: 44,
      frames: 2 * RATE,
    })
    expect(parseWavPcm(new TextEncoder().encode('OggS not a wav at all'))).toBeUndefined()
    const float = bytes.slice()
    new DataView(float.buffer).setUint16(20, 3, true) // IEEE float
    expect(parseWavPcm(float)).toBeUndefined()
  })

  it('takes the rest of the file when a streaming recorder left the data size unset', () => {
    const bytes = pcmWav([{ kind: 'tone', seconds: 1 }])
    new DataView(bytes.buffer).setUint32(40, 0xffffffff, true)
    expect(parseWavPcm(bytes)?.frames).toBe(RATE)
  })
})

describe('stitching', () => {
  const part = (texts: string[]): Transcript => ({
    provider: 'openai',
    model: 'whisper-1',
    language: 'en',
    duration_s: 30,
    utterances: texts.map((text, i) => ({
      id: `u${i + 1}`,
      speaker: 'speaker_0',
      start: i * 10 + 1,
      end: i * 10 + 5,
      text,
    })),
  })

  it('shifts each chunk by its start and numbers utterances anew', () => {
    const t = stitchTranscripts(
      [
        { offsetS: 0, transcript: part(['a', 'b']) },
        { offsetS: 29.5, transcript: part(['c']) },
        { offsetS: 61.25, transcript: part(['d', 'e']) },
      ],
      90
    )
    expect(t.duration_s).toBe(90)
    expect(t.utterances.map((u) => [u.id, u.start, u.end, u.text])).toEqual([
      ['u1', 1, 5, 'a'],
      ['u2', 11, 15, 'b'],
      ['u3', 30.5, 34.5, 'c'],
      ['u4', 62.25, 66.25, 'd'],
      ['u5', 72.25, 76.25, 'e'],
    ])
  })
})
