import { fileTypeFromBuffer } from 'file-type'

// Containers a browser's MediaRecorder, a phone or a dictaphone produce. WebM and MP4 are
// reported as video/* by their magic bytes even when they hold only audio.
const ACCEPTED = new Set([
  'audio/wav',
  'audio/x-wav',
  'audio/vnd.wave',
  'audio/mpeg',
  'audio/ogg',
  'audio/opus',
  'audio/webm',
  'audio/flac',
  'audio/x-flac',
  'audio/aac',
  'audio/x-m4a',
  'audio/mp4',
  'audio/amr',
  'audio/aiff',
  'audio/x-aiff',
  'video/webm',
  'video/mp4',
  'video/ogg',
  'application/ogg',
  'video/x-matroska',
])

export type AudioFormat = { mediaType: string; ext: string }

// windows-1252 maps every byte to one character, so ASCII markers are found where they are.
const includesAscii = (b: Uint8Array, text: string): boolean =>
  new TextDecoder('windows-1252').decode(b).includes(text)

/**
 * Containers that can hold anything are accepted only with audio the engines read: WebM/Matroska
 * with an Opus track (Chrome's and Edge's MediaRecorder; the CodecID sits in the Tracks element
 * within the first few hundred bytes) and Ogg with Opus or Vorbis (Firefox's MediaRecorder writes
 * Opus). A WebM video or an Ogg of Theora or Speex stays refused.
 */
function containerHoldsReadableAudio(mime: string, head: Uint8Array): boolean {
  if (mime === 'video/webm' || mime === 'video/x-matroska' || mime === 'audio/webm') {
    return includesAscii(head, 'A_OPUS')
  }
  if (mime === 'audio/ogg' || mime === 'video/ogg' || mime === 'application/ogg') {
    return includesAscii(head, 'OpusHead') || includesAscii(head, '\x01vorbis')
  }
  return true
}

// The media type recorded for playback: what a browser's <audio> element plays.
const RECORDED_AS: Record<string, string> = {
  'audio/opus': 'audio/ogg',
  'video/ogg': 'audio/ogg',
  'application/ogg': 'audio/ogg',
  'video/webm': 'audio/webm',
  'video/x-matroska': 'audio/webm',
  'video/mp4': 'audio/mp4',
}

/** Recognises audio by its bytes, never by the declared type or name. */
export async function detectAudio(head: Uint8Array): Promise<AudioFormat | undefined> {
  const found = await fileTypeFromBuffer(head)
  if (!found) return undefined
  // file-type names Ogg/Opus `audio/ogg; codecs=opus`: the set holds the bare types.
  const mime = found.mime.split(';')[0]?.trim() ?? ''
  if (!ACCEPTED.has(mime) || !containerHoldsReadableAudio(mime, head)) return undefined
  return { mediaType: RECORDED_AS[mime] ?? mime, ext: found.ext }
}
