// Pure: which container an upload is, from its first bytes (names and MIME types lie).

/** The sox input types this engine reads; everything else is refused with 415. */
export type SoxType = 'wav' | 'flac' | 'ogg' | 'mp3'
export type Sniffed = { ok: true; sox: SoxType } | { ok: false; format: string }

const ascii = (b: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...b.subarray(from, to))
const includesAscii = (b: Uint8Array, text: string): boolean =>
  Buffer.from(b).includes(Buffer.from(text, 'ascii'))

export function sniffAudio(head: Uint8Array): Sniffed {
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WAVE') return { ok: true, sox: 'wav' }
  if (ascii(head, 0, 4) === 'fLaC') return { ok: true, sox: 'flac' }
  if (ascii(head, 0, 4) === 'OggS') {
    // Ogg holds Vorbis (sox reads it) or Opus (Debian's sox does not).
    return includesAscii(head, 'OpusHead')
      ? { ok: false, format: 'ogg/opus' }
      : { ok: true, sox: 'ogg' }
  }
  if (ascii(head, 0, 3) === 'ID3') return { ok: true, sox: 'mp3' }
  // An MPEG audio frame: 11 sync bits, then layer bits that are not 00 (0xFFE0 mask).
  if (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0 && ((head[1] ?? 0) & 0x06) !== 0) {
    return { ok: true, sox: 'mp3' }
  }
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
    return { ok: false, format: 'webm/matroska' }
  }
  if (ascii(head, 4, 8) === 'ftyp') return { ok: false, format: 'mp4/m4a' }
  return { ok: false, format: 'unknown' }
}

export const SUPPORTED = 'wav, flac, mp3 and ogg/vorbis'
