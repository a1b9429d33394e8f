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

/** Recognises audio by its bytes, never by the declared type or name. */
export async function detectAudio(head: Uint8Array): Promise<AudioFormat | undefined> {
  const found = await fileTypeFromBuffer(head)
  if (!found || !ACCEPTED.has(found.mime)) return undefined
  return { mediaType: found.mime.replace(/^video\//, 'audio/'), ext: found.ext }
}
