import type { WavPcm } from './wav.ts'

// Energy-based pause detection on 16-bit PCM: short frames, their level in dBFS, and runs of
// frames quiet enough to cut at. No model, no decoding: it only has to find gaps between words.

export type SilenceOptions = {
  /** Frame length for the energy measure. Default 20 ms. */
  frameMs?: number
  /** Shortest pause worth cutting in. Default 300 ms (a breath between sentences). */
  minSilenceMs?: number
  /** A frame is silent below the recording's noise floor (its 10th percentile) plus this. */
  marginDb?: number
  /** ...but never above this level, so a recording that is all speech has no pauses. */
  ceilingDb?: number
}

/** A pause, in sample frames from the start of the audio: [start, end). */
export type Silence = { start: number; end: number }

const FLOOR_DB = -100

/** The level of each `frameMs` frame in dBFS (digital silence is -100), all channels mixed. */
export function frameLevels(
  bytes: Uint8Array,
  wav: WavPcm,
  frameMs = 20
): { levels: Float32Array; framesPerLevel: number } {
  const framesPerLevel = Math.max(1, Math.round((wav.sampleRate * frameMs) / 1000))
  const count = Math.ceil(wav.frames / framesPerLevel)
  const levels = new Float32Array(count)
  // A DataView reads the samples where they lie: no copy of a file that may be 100+ MB, and no
  // alignment demand (an Int16Array view needs an even offset, which a Buffer slice may not have).
  const view = new DataView(bytes.buffer, bytes.byteOffset + wav.dataOffset, wav.dataBytes)
  const samplesPerFrame = wav.channels
  for (let i = 0; i < count; i++) {
    const from = i * framesPerLevel
    const to = Math.min(wav.frames, from + framesPerLevel)
    let sum = 0
    for (let f = from; f < to; f++) {
      for (let c = 0; c < samplesPerFrame; c++) {
        const s = view.getInt16((f * samplesPerFrame + c) * 2, true) / 32768
        sum += s * s
      }
    }
    const meanSquare = sum / Math.max(1, (to - from) * samplesPerFrame)
    levels[i] = meanSquare > 0 ? Math.max(FLOOR_DB, 10 * Math.log10(meanSquare)) : FLOOR_DB
  }
  return { levels, framesPerLevel }
}

function percentile(values: Float32Array, p: number): number {
  if (values.length === 0) return FLOOR_DB
  const sorted = Float32Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

/** The pauses of a PCM recording, in order. */
export function findSilences(bytes: Uint8Array, wav: WavPcm, opts: SilenceOptions = {}): Silence[] {
  const frameMs = opts.frameMs ?? 20
  const { levels, framesPerLevel } = frameLevels(bytes, wav, frameMs)
  const threshold = Math.min(opts.ceilingDb ?? -35, percentile(levels, 0.1) + (opts.marginDb ?? 12))
  const minLevels = Math.max(1, Math.ceil((opts.minSilenceMs ?? 300) / frameMs))
  const out: Silence[] = []
  let runStart = -1
  for (let i = 0; i <= levels.length; i++) {
    const quiet = i < levels.length && levels[i]! < threshold
    if (quiet && runStart < 0) runStart = i
    if (!quiet && runStart >= 0) {
      if (i - runStart >= minLevels) {
        out.push({
          start: runStart * framesPerLevel,
          end: Math.min(wav.frames, i * framesPerLevel),
        })
      }
      runStart = -1
    }
  }
  return out
}
