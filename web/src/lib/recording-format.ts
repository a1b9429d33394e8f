// Which audio the PWA records, chosen by feature detection when a recording starts.
//
// Opus at 24 kb/s is about 0.18 MB a minute against 1.9 MB for 16 kHz WAV (npm run
// bench:upload-formats): a 30-minute consultation is ~5 MB instead of 57 MB on a phone network.
// MediaRecorder is the one encoder every engine-reading browser has: Chrome and Edge write Opus
// in WebM, Firefox Opus in Ogg, and both emit a chunk every `timeslice`, each saved to IndexedDB
// like the WAV path's seconds of PCM — the concatenated chunks of a recording cut short by a crash
// are still a file the API and the engines read (tests/stack/stt-opus.test.ts). WebCodecs'
// AudioEncoder would need an Ogg muxer of our own for no gain where MediaRecorder exists.
// Safari's MediaRecorder writes AAC in MP4, which the offline engine does not read, and a
// browser without MediaRecorder or Opus falls back to the 16 kHz WAV built from the worklet's PCM.

export type RecordingFormat =
  | { kind: 'opus'; mimeType: 'audio/webm;codecs=opus' | 'audio/ogg;codecs=opus'; ext: string }
  | { kind: 'wav'; mimeType: 'audio/wav'; ext: 'wav' }

export const WAV: RecordingFormat = { kind: 'wav', mimeType: 'audio/wav', ext: 'wav' }
/** Speech is clear at 24 kb/s mono Opus; higher rates only cost the clinician's data plan. */
export const OPUS_BITS_PER_SECOND = 24_000

type MediaRecorderLike = { isTypeSupported?: (mimeType: string) => boolean } | undefined

export function chooseRecordingFormat(
  recorder: MediaRecorderLike = (globalThis as { MediaRecorder?: MediaRecorderLike }).MediaRecorder
): RecordingFormat {
  const supports = (t: string) => {
    try {
      return recorder?.isTypeSupported?.(t) === true
    } catch {
      return false
    }
  }
  if (supports('audio/webm;codecs=opus')) {
    return { kind: 'opus', mimeType: 'audio/webm;codecs=opus', ext: 'webm' }
  }
  if (supports('audio/ogg;codecs=opus')) {
    return { kind: 'opus', mimeType: 'audio/ogg;codecs=opus', ext: 'ogg' }
  }
  return WAV
}

/** A stored recording's format: records saved before Opus carry none and are WAV. */
export function storedFormat(mimeType: string | undefined): RecordingFormat {
  if (mimeType === 'audio/webm;codecs=opus') return { kind: 'opus', mimeType, ext: 'webm' }
  if (mimeType === 'audio/ogg;codecs=opus') return { kind: 'opus', mimeType, ext: 'ogg' }
  return WAV
}
