import { describe, expect, it } from 'vitest'
import { WAV, chooseRecordingFormat, storedFormat } from './recording-format.ts'

const browser = (supported: string[]) => ({
  isTypeSupported: (t: string) => supported.includes(t),
})

describe('recording format', () => {
  it('should record Opus in WebM where MediaRecorder writes it (Chrome, Edge)', () => {
    const chrome = browser(['audio/webm;codecs=opus', 'audio/webm'])
    expect(chooseRecordingFormat(chrome)).toEqual({
      kind: 'opus',
      mimeType: 'audio/webm;codecs=opus',
      ext: 'webm',
    })
  })

  it('should record Opus in Ogg where MediaRecorder writes only that (Firefox without WebM)', () => {
    expect(chooseRecordingFormat(browser(['audio/ogg;codecs=opus']))).toMatchObject({
      mimeType: 'audio/ogg;codecs=opus',
      ext: 'ogg',
    })
  })

  it('should fall back to 16 kHz WAV without MediaRecorder or Opus (Safari writes AAC in MP4)', () => {
    expect(chooseRecordingFormat(undefined)).toEqual(WAV)
    expect(chooseRecordingFormat(browser(['audio/mp4']))).toEqual(WAV)
    const throws = {
      isTypeSupported: () => {
        throw new Error('no')
      },
    }
    expect(chooseRecordingFormat(throws)).toEqual(WAV)
  })

  it('should read a stored recording without a type, saved before Opus, as WAV', () => {
    expect(storedFormat(undefined)).toEqual(WAV)
    expect(storedFormat('audio/ogg;codecs=opus').ext).toBe('ogg')
  })
})
