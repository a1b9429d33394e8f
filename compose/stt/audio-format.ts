// Pure: which container an upload is, from its first bytes (names and MIME types lie).

/**
 * How this engine decodes an input: sox for what Debian's sox reads, PyAV (the FFmpeg build in
 * the Whisper venv's `av` wheel) for Opus in Ogg or WebM, which Debian's sox cannot read.
 */
export type InputType = 'wav' | 'flac' | 'ogg' | 'mp3' | 'ogg-opus' | 'webm-opus'
export type Sniffed = { ok: true; type: InputType } | { ok: false; format: string }

const ascii = (b: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...b.subarray(from, to))
const includesAscii = (b: Uint8Array, text: string): boolean =>
  Buffer.from(b).includes(Buffer.from(text, 'ascii'))

export function sniffAudio(head: Uint8Array): Sniffed {
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WAVE')
    return { ok: true, type: 'wav' }
  if (ascii(head, 0, 4) === 'fLaC') return { ok: true, type: 'flac' }
  if (ascii(head, 0, 4) === 'OggS') {
    // Ogg holds Vorbis (sox reads it) or Opus (the PWA's Firefox recordings; PyAV reads it).
    if (includesAscii(head, 'OpusHead')) return { ok: true, type: 'ogg-opus' }
    if (includesAscii(head, '\x01vorbis')) return { ok: true, type: 'ogg' }
    return { ok: false, format: 'ogg (neither opus nor vorbis)' }
  }
  if (ascii(head, 0, 3) === 'ID3') return { ok: true, type: 'mp3' }
  // An MPEG audio frame: 11 sync bits, then layer bits that are not 00 (0xFFE0 mask).
  if (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0 && ((head[1] ?? 0) & 0x06) !== 0) {
    return { ok: true, type: 'mp3' }
  }
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
    // EBML: WebM/Matroska. Accepted only with an Opus track (the PWA's Chrome/Edge recordings);
    // its CodecID sits in the Tracks element within the first few hundred bytes.
    return includesAscii(head, 'A_OPUS')
      ? { ok: true, type: 'webm-opus' }
      : { ok: false, format: 'webm/matroska without an opus track' }
  }
  if (ascii(head, 4, 8) === 'ftyp') return { ok: false, format: 'mp4/m4a' }
  return { ok: false, format: 'unknown' }
}

export const SUPPORTED = 'wav, flac, mp3, ogg/vorbis, ogg/opus and webm/opus'
