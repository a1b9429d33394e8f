import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { sniffAudio } from '../../compose/stt/audio-format.ts'
import { selectEngine } from '../../compose/stt/engine.ts'
import { BusyError, createLimiter } from '../../compose/stt/limiter.ts'
import { parsePocketsphinx, toSegments, toVerbose } from '../../compose/stt/transcript.ts'
import { whisperToVerbose } from '../../compose/stt/whisper-output.ts'
import type { WhisperJson } from '../../compose/stt/whisper-output.ts'

// Real `pocketsphinx_continuous -infile multi.wav -time yes` output (Debian trixie,
// 0.8+5prealpha) for two espeak-ng sentences 2 s apart: two utterances, absolute times.
const TWO_UTTERANCES = `the shoot the panic
<s> 0.000 0.030 0.999400
the(2) 0.040 0.330 0.095879
shoot 0.340 0.650 0.043650
the 0.660 0.870 0.840532
panic 0.880 1.340 0.357536
</s> 1.350 1.800 1.000000
she got caught up the little three days
<s> 3.530 3.630 0.999600
she 3.640 3.810 0.482785
got 3.820 4.000 0.263723
caught 4.010 4.210 0.203542
up 4.220 4.300 0.475501
the(2) 4.310 4.480 0.989257
little 4.490 4.780 0.453259
three 4.790 5.020 0.830090
days 5.030 5.420 0.639831
</s> 5.430 5.710 1.000000
`

describe('pocketsphinx output', () => {
  it('should split the output into utterances of tokens', () => {
    const utterances = parsePocketsphinx(TWO_UTTERANCES)
    expect(utterances).toHaveLength(2)
    expect(utterances[0]?.[1]).toEqual({
      word: 'the(2)',
      start: 0.04,
      end: 0.33,
      confidence: 0.095879,
    })
  })

  it('should make one segment per utterance, without fillers or pronunciation marks', () => {
    expect(toSegments(parsePocketsphinx(TWO_UTTERANCES))).toEqual([
      { id: 0, start: 0.04, end: 1.34, text: 'the shoot the panic' },
      { id: 1, start: 3.64, end: 5.42, text: 'she got caught up the little three days' },
    ])
  })

  it('should split an utterance at a long pause', () => {
    const out = [
      '<s> 0.000 0.100 1',
      'one 0.100 0.500 0.9',
      '<sil> 0.500 1.400 1',
      'two 1.400 1.800 0.9',
      '[NOISE] 1.800 1.900 1',
      'three 1.950 2.300 0.9',
      '</s> 2.300 2.500 1',
    ].join('\n')
    expect(toSegments(parsePocketsphinx(out)).map((s) => s.text)).toEqual(['one', 'two three'])
  })

  it('should answer verbose_json with the text, the duration and optional words', () => {
    const v = toVerbose(parsePocketsphinx(TWO_UTTERANCES), 5.7244375, true)
    expect(v).toMatchObject({ task: 'transcribe', language: 'en', duration: 5.724 })
    expect(v.text).toBe('the shoot the panic she got caught up the little three days')
    expect(v.words?.[0]).toEqual({ word: 'the', start: 0.04, end: 0.33 })
  })

  it('should give an empty transcript for silence or no output', () => {
    expect(toVerbose(parsePocketsphinx(''), 2, false)).toEqual({
      task: 'transcribe',
      language: 'en',
      duration: 2,
      text: '',
      segments: [],
    })
    const silence =
      '\n<s> 0.000 0.500 1.000000\n<sil> 0.500 1.200 1.000000\n</s> 1.200 1.500 1.000000\n'
    expect(toSegments(parsePocketsphinx(silence))).toEqual([])
  })
})

describe('audio sniffing', () => {
  const bytes = (text: string, pad = 64) =>
    new Uint8Array(Buffer.concat([Buffer.from(text, 'latin1'), Buffer.alloc(pad)]))

  it('should accept what sox reads', () => {
    expect(sniffAudio(bytes('RIFF\0\0\0\0WAVEfmt '))).toEqual({ ok: true, type: 'wav' })
    expect(sniffAudio(bytes('fLaC'))).toEqual({ ok: true, type: 'flac' })
    expect(sniffAudio(bytes('OggS\0\x02' + '\0'.repeat(22) + '\x01vorbis'))).toEqual({
      ok: true,
      type: 'ogg',
    })
    expect(sniffAudio(bytes('ID3\x04'))).toEqual({ ok: true, type: 'mp3' })
    expect(sniffAudio(new Uint8Array([0xff, 0xfb, 0x90, 0x64]))).toEqual({ ok: true, type: 'mp3' })
  })

  it('should accept Opus in Ogg and in WebM, as the PWA records it, for the Opus decoder', () => {
    const fixture = (name: string) =>
      new Uint8Array(readFileSync(`tests/fixtures/audio/${name}`)).subarray(0, 4096)
    expect(sniffAudio(fixture('speech-opus.ogg'))).toEqual({ ok: true, type: 'ogg-opus' })
    expect(sniffAudio(fixture('speech-opus.webm'))).toEqual({ ok: true, type: 'webm-opus' })
  })

  it('should name what it refuses', () => {
    expect(sniffAudio(new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86]))).toEqual({
      ok: false,
      format: 'webm/matroska without an opus track',
    })
    expect(sniffAudio(bytes('\x1a\x45\xdf\xa3webm V_VP8 A_VORBIS'))).toEqual({
      ok: false,
      format: 'webm/matroska without an opus track',
    })
    expect(sniffAudio(bytes('OggS\0\x02' + '\0'.repeat(22) + '\x80theora'))).toEqual({
      ok: false,
      format: 'ogg (neither opus nor vorbis)',
    })
    expect(sniffAudio(bytes('\0\0\0\x20ftypM4A '))).toEqual({ ok: false, format: 'mp4/m4a' })
    expect(sniffAudio(new Uint8Array([0xff, 0xf1, 0x50, 0x80]))).toEqual({
      ok: false,
      format: 'unknown',
    })
  })
})

describe('limiter', () => {
  it('should run at most two at once and refuse past the waiting room', async () => {
    const limiter = createLimiter(2, 1)
    let running = 0
    let peak = 0
    const gates: (() => void)[] = []
    const job = () =>
      limiter.run(async () => {
        peak = Math.max(peak, ++running)
        await new Promise<void>((r) => gates.push(r))
        running--
      })
    const jobs = [job(), job(), job()]
    await expect(job()).rejects.toBeInstanceOf(BusyError)
    expect(limiter.waiting).toBe(1)
    while (gates.length > 0 || limiter.active > 0) {
      gates.shift()?.()
      await new Promise((r) => setTimeout(r, 1))
    }
    await Promise.all(jobs)
    expect(peak).toBe(2)
    expect(limiter.active).toBe(0)
  })
})

// Real `whisper-ctranslate2 --output_format json --word_timestamps True` output (0.5.8, Whisper
// base int8) for four espeak-ng sentences; token lists shortened.
const whisperOutput = (): WhisperJson =>
  JSON.parse(
    readFileSync(new URL('../fixtures/whisper-ctranslate2-output.json', import.meta.url), 'utf8')
  ) as WhisperJson

describe('whisper output', () => {
  it('should answer verbose_json with trimmed segments, numbered from 0, in time order', () => {
    const v = whisperToVerbose(whisperOutput(), 15.0243125)
    expect(v.duration).toBe(15.024)
    expect(v.segments).toHaveLength(4)
    expect(v.segments[0]).toEqual({
      id: 0,
      start: 0,
      end: 4.12,
      text: "The patient reports chest pain for three days, where's an exertion?",
    })
    expect(v.segments.map((s) => s.start)).toEqual(
      [...v.segments.map((s) => s.start)].sort((a, b) => a - b)
    )
    expect(v.text.startsWith('The patient reports chest pain')).toBe(true)
    expect(v).not.toHaveProperty('words')
  })

  it('should give word times when asked', () => {
    const words = whisperToVerbose(whisperOutput(), 15, true).words ?? []
    expect(words[1]).toEqual({ word: 'patient', start: 0.16, end: 0.48 })
    expect(words.every((w) => w.end >= w.start && w.word === w.word.trim())).toBe(true)
  })

  it('should give an empty transcript for silence', () => {
    expect(whisperToVerbose({ text: '', segments: [], language: 'en' }, 8)).toEqual({
      task: 'transcribe',
      language: 'en',
      duration: 8,
      text: '',
      segments: [],
    })
  })
})

describe('engine selection', () => {
  it('should take Whisper by default and PocketSphinx by name', () => {
    expect(selectEngine({}).info.model).toBe('whisper-base')
    expect(selectEngine({ STT_ENGINE: 'pocketsphinx' }).info.model).toBe('pocketsphinx-en-us')
  })

  it('should refuse an unknown engine or a bad thread count with a line naming the setting', () => {
    expect(() => selectEngine({ STT_ENGINE: 'vosk' })).toThrow(/STT_ENGINE must be/)
    expect(() => selectEngine({ STT_THREADS: '0' })).toThrow(/STT_THREADS/)
  })
})
