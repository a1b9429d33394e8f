// Just enough RIFF/WAVE reading to cut PCM audio into smaller WAV files without decoding it:
// where the samples are, how many bytes one sample frame takes, and a header for a slice.

export type WavPcm = {
  sampleRate: number
  channels: number
  bitsPerSample: number
  /** Bytes per sample frame (all channels): the unit a cut must be aligned to. */
  blockAlign: number
  /** Where the sample data starts in the file. */
  dataOffset: number
  /** Bytes of sample data (clamped to the file: recorders that stream leave the size unset). */
  dataBytes: number
  /** Sample frames in the file. */
  frames: number
}

const WAVE_FORMAT_PCM = 1
const WAVE_FORMAT_EXTENSIBLE = 0xfffe

const ascii = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 4))

/**
 * Reads the header of a little-endian PCM WAV file (what the PWA uploads: 16 kHz mono 16-bit).
 * Returns undefined for anything else (other containers, compressed or float WAV), which the
 * caller can only send whole.
 */
export function parseWavPcm(bytes: Uint8Array): WavPcm | undefined {
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') return
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let fmt: Omit<WavPcm, 'dataOffset' | 'dataBytes' | 'frames'> | undefined
  let at = 12
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at)
    const size = view.getUint32(at + 4, true)
    const body = at + 8
    if (id === 'fmt ' && body + 16 <= bytes.length) {
      let format = view.getUint16(body, true)
      // WAVE_FORMAT_EXTENSIBLE names the real format in the first two bytes of its sub-format GUID.
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 26 && body + 26 <= bytes.length) {
        format = view.getUint16(body + 24, true)
      }
      const channels = view.getUint16(body + 2, true)
      const bitsPerSample = view.getUint16(body + 14, true)
      if (format !== WAVE_FORMAT_PCM || bitsPerSample !== 16 || channels < 1) return
      fmt = {
        sampleRate: view.getUint32(body + 4, true),
        channels,
        bitsPerSample,
        blockAlign: view.getUint16(body + 12, true) || channels * 2,
      }
      if (fmt.sampleRate <= 0) return
    } else if (id === 'data') {
      if (!fmt) return
      const available = bytes.length - body
      const declared = size === 0 || size === 0xffffffff ? available : Math.min(size, available)
      const dataBytes = declared - (declared % fmt.blockAlign)
      return { ...fmt, dataOffset: body, dataBytes, frames: dataBytes / fmt.blockAlign }
    }
    at = body + size + (size % 2) // chunks are padded to an even length
  }
  return undefined
}

/** A 44-byte canonical header for `dataBytes` of the same PCM format. */
export function wavHeader(wav: WavPcm, dataBytes: number): Uint8Array {
  const out = new Uint8Array(44)
  const v = new DataView(out.buffer)
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) v.setUint8(at + i, s.charCodeAt(i))
  }
  put(0, 'RIFF')
  v.setUint32(4, 36 + dataBytes, true)
  put(8, 'WAVE')
  put(12, 'fmt ')
  v.setUint32(16, 16, true)
  v.setUint16(20, WAVE_FORMAT_PCM, true)
  v.setUint16(22, wav.channels, true)
  v.setUint32(24, wav.sampleRate, true)
  v.setUint32(28, wav.sampleRate * wav.blockAlign, true)
  v.setUint16(32, wav.blockAlign, true)
  v.setUint16(34, wav.bitsPerSample, true)
  put(36, 'data')
  v.setUint32(40, dataBytes, true)
  return out
}

export const WAV_HEADER_BYTES = 44
