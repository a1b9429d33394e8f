// PCM for the stack's offline engine (sox + pocketsphinx cannot read webm/opus): 16 kHz mono
// 16-bit little-endian, wrapped in a 44-byte RIFF/WAVE header at upload time.

export const TARGET_RATE = 16_000

export function wavHeader(dataBytes: number, sampleRate = TARGET_RATE, channels = 1): ArrayBuffer {
  const bits = 16
  const blockAlign = (channels * bits) / 8
  const buf = new ArrayBuffer(44)
  const v = new DataView(buf)
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i))
  }
  ascii(0, 'RIFF')
  v.setUint32(4, 36 + dataBytes, true)
  ascii(8, 'WAVE')
  ascii(12, 'fmt ')
  v.setUint32(16, 16, true) // fmt chunk size
  v.setUint16(20, 1, true) // PCM
  v.setUint16(22, channels, true)
  v.setUint32(24, sampleRate, true)
  v.setUint32(28, sampleRate * blockAlign, true) // byte rate
  v.setUint16(32, blockAlign, true)
  v.setUint16(34, bits, true)
  ascii(36, 'data')
  v.setUint32(40, dataBytes, true)
  return buf
}

export function wavBlob(chunks: ArrayBuffer[], sampleRate = TARGET_RATE): Blob {
  const bytes = chunks.reduce((n, c) => n + c.byteLength, 0)
  return new Blob([wavHeader(bytes, sampleRate), ...chunks], { type: 'audio/wav' })
}

export function toInt16(samples: ArrayLike<number>): Int16Array {
  const out = new Int16Array(samples.length)
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0))
    out[i] = s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff)
  }
  return out
}

/** Root mean square of a block, mapped to 0..1 over -60..0 dBFS: the live input level. */
export function level(samples: Float32Array): number {
  if (samples.length === 0) return 0
  let sum = 0
  for (const s of samples) sum += s * s
  const rms = Math.sqrt(sum / samples.length)
  if (rms <= 0) return 0
  return Math.max(0, Math.min(1, (20 * Math.log10(rms) + 60) / 60))
}

/**
 * Downsamples float blocks of any rate to 16-bit at `outRate` by averaging each output sample's
 * window (a box filter: enough against aliasing for speech recognition). Keeps the remainder of
 * a block, fractional position included, for the next one, so blocks join without drift.
 */
export class Downsampler {
  private carry = new Float32Array(0)
  private offset = 0
  private readonly ratio: number

  constructor(
    readonly inRate: number,
    readonly outRate = TARGET_RATE
  ) {
    this.ratio = inRate / outRate
  }

  process(input: Float32Array): Int16Array {
    const buf = new Float32Array(this.carry.length + input.length)
    buf.set(this.carry)
    buf.set(input, this.carry.length)
    const out: number[] = []
    let i = 0
    for (;;) {
      const start = this.offset + i * this.ratio
      const end = start + this.ratio
      if (end > buf.length) break
      const a = Math.floor(start)
      const b = Math.max(a + 1, Math.floor(end))
      let sum = 0
      for (let k = a; k < b; k++) sum += buf[k] ?? 0
      out.push(sum / (b - a))
      i++
    }
    const consumedExact = this.offset + i * this.ratio
    const consumed = Math.floor(consumedExact)
    this.offset = consumedExact - consumed
    this.carry = buf.slice(consumed)
    return toInt16(out)
  }
}
