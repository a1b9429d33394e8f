import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { detectAudio } from '../../api/src/uploads/audio-format.ts'

const fixture = (name: string) => new Uint8Array(readFileSync(`tests/fixtures/audio/${name}`))
const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'))
// The first bytes of an EBML (Matroska/WebM) header with DocType "webm", then a track's CodecID.
const webmWith = (codec: string) =>
  new Uint8Array([
    ...[0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01],
    ...[0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84],
    ...latin1('webm'),
    ...[0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02],
    ...latin1(`\x86\x86${codec}`),
    ...new Uint8Array(256),
  ])

describe('upload sniffing of what the PWA records', () => {
  it('should accept Opus in WebM (Chrome, Edge) and record it as audio/webm', async () => {
    expect(await detectAudio(fixture('speech-opus.webm'))).toEqual({
      mediaType: 'audio/webm',
      ext: 'webm',
    })
  })

  it('should accept Opus in Ogg (Firefox) and record it as audio/ogg, which browsers play', async () => {
    expect(await detectAudio(fixture('speech-opus.ogg'))).toMatchObject({ mediaType: 'audio/ogg' })
  })

  it('should accept a recording cut at a chunk boundary, as one recovered after a crash', async () => {
    // Only the head is sniffed: a recording saved one second at a time keeps its header.
    expect(await detectAudio(fixture('speech-opus.webm').subarray(0, 3000))).toMatchObject({
      mediaType: 'audio/webm',
    })
    expect(await detectAudio(fixture('speech-opus.ogg').subarray(0, 12_000))).toMatchObject({
      mediaType: 'audio/ogg',
    })
  })

  it("should accept what Chromium's MediaRecorder writes, whole and cut after its fifth chunk", async () => {
    const webm = fixture('chromium-mediarecorder.webm')
    expect(await detectAudio(webm)).toEqual({ mediaType: 'audio/webm', ext: 'webm' })
    expect(await detectAudio(webm.subarray(0, 16_794))).toMatchObject({ mediaType: 'audio/webm' })
  })

  it('should refuse a WebM without an Opus track (a video, or another codec)', async () => {
    expect(await detectAudio(webmWith('A_OPUS'))).toMatchObject({ mediaType: 'audio/webm' })
    expect(await detectAudio(webmWith('V_VP8\0'))).toBeUndefined()
  })

  it('should refuse an Ogg holding neither Opus nor Vorbis', async () => {
    const theora = latin1(`OggS\0\x02${'\0'.repeat(22)}\x01\x2a\x80theora${'\0'.repeat(64)}`)
    expect(await detectAudio(theora)).toBeUndefined()
  })
})
