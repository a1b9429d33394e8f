// Synthetic 16-bit PCM WAV built in memory, with sound and pauses at known places, for the
// silence detector and chunk planner tests (no espeak-ng needed, exact positions).
import { wavHeader } from '../../web/src/lib/wav.ts'

export type Piece = { kind: 'tone' | 'silence' | 'hiss'; seconds: number }

/** A mono WAV of the pieces in order: a 220 Hz tone at -13 dBFS, digital silence, or faint hiss. */
export function pcmWav(pieces: readonly Piece[], rate = 16_000): Uint8Array {
  const frames = pieces.reduce((n, p) => n + Math.round(p.seconds * rate), 0)
  const samples = new Int16Array(frames)
  let at = 0
  let seed = 1
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1
  for (const p of pieces) {
    const n = Math.round(p.seconds * rate)
    for (let i = 0; i < n; i++) {
      const t = (at + i) / rate
      const v =
        p.kind === 'tone'
          ? 0.3 * Math.sin(2 * Math.PI * 220 * t)
          : p.kind === 'hiss'
            ? 0.002 * noise()
            : 0
      samples[at + i] = Math.round(v * 32767)
    }
    at += n
  }
  const out = new Uint8Array(44 + samples.byteLength)
  out.set(new Uint8Array(wavHeader(samples.byteLength, rate)))
  out.set(new Uint8Array(samples.buffer), 44)
  return out
}

/** Tone with a pause of `pause` seconds starting at each of `at` (seconds), up to `total`. */
export function toneWithPauses(
  total: number,
  at: readonly number[],
  pause = 1,
  kind: Piece['kind'] = 'silence'
) {
  const pieces: Piece[] = []
  let t = 0
  for (const start of at) {
    pieces.push({ kind: 'tone', seconds: start - t }, { kind, seconds: pause })
    t = start + pause
  }
  pieces.push({ kind: 'tone', seconds: total - t })
  return pcmWav(pieces)
}
