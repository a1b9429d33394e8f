import { describe, expect, it } from 'vitest'
import { Downsampler, level, toInt16, wavBlob, wavHeader } from './wav.ts'

const ascii = (b: Uint8Array, at: number, n: number) =>
  String.fromCharCode(...b.subarray(at, at + n))

describe('wav', () => {
  it('writes a 44-byte RIFF/WAVE header for 16 kHz mono 16-bit PCM', () => {
    const bytes = new Uint8Array(wavHeader(32_000))
    const v = new DataView(bytes.buffer)
    expect(bytes.byteLength).toBe(44)
    expect(ascii(bytes, 0, 4)).toBe('RIFF')
    expect(v.getUint32(4, true)).toBe(36 + 32_000)
    expect(ascii(bytes, 8, 4)).toBe('WAVE')
    expect(ascii(bytes, 12, 4)).toBe('fmt ')
    expect(v.getUint32(16, true)).toBe(16)
    expect(v.getUint16(20, true)).toBe(1) // PCM
    expect(v.getUint16(22, true)).toBe(1) // mono
    expect(v.getUint32(24, true)).toBe(16_000)
    expect(v.getUint32(28, true)).toBe(32_000) // byte rate
    expect(v.getUint16(32, true)).toBe(2) // block align
    expect(v.getUint16(34, true)).toBe(16)
    expect(ascii(bytes, 36, 4)).toBe('data')
    expect(v.getUint32(40, true)).toBe(32_000)
    // the exact bytes, as sox and pocketsphinx read them
    expect([...bytes.subarray(0, 12)]).toEqual([
      0x52, 0x49, 0x46, 0x46, 0x24, 0x7d, 0x00, 0x00, 0x57, 0x41, 0x56, 0x45,
    ])
  })

  it('assembles stored chunks behind the header', async () => {
    const a = new Int16Array([1, 2, 3]).buffer
    const b = new Int16Array([4]).buffer
    const blob = wavBlob([a, b])
    expect(blob.type).toBe('audio/wav')
    const buf = new Uint8Array(await blob.arrayBuffer())
    expect(buf.byteLength).toBe(44 + 8)
    expect(new DataView(buf.buffer).getUint32(40, true)).toBe(8)
    expect([...new Int16Array(buf.buffer.slice(44))]).toEqual([1, 2, 3, 4])
  })

  it('converts floats to clamped 16-bit samples', () => {
    expect([...toInt16([0, 1, -1, 2, -2, 0.5])]).toEqual([0, 32767, -32768, 32767, -32768, 16384])
  })

  it('downsamples 48 kHz to 16 kHz across block boundaries without drift', () => {
    const d = new Downsampler(48_000)
    let total = 0
    for (let i = 0; i < 10; i++) total += d.process(new Float32Array(4096).fill(0.25)).length
    expect(total).toBe(Math.floor((10 * 4096) / 3))
    const d2 = new Downsampler(44_100)
    let n = 0
    for (let i = 0; i < 100; i++) n += d2.process(new Float32Array(441)).length
    expect(n).toBeGreaterThanOrEqual(15_999)
    expect(n).toBeLessThanOrEqual(16_000)
  })

  it('keeps a constant signal constant', () => {
    const out = new Downsampler(48_000).process(new Float32Array(300).fill(0.5))
    expect(out.length).toBe(100)
    expect(new Set(out)).toEqual(new Set([16384]))
  })

  it('maps the input level to 0..1', () => {
    expect(level(new Float32Array(128))).toBe(0)
    expect(level(new Float32Array(128).fill(1))).toBe(1)
    const mid = level(new Float32Array(128).fill(0.03))
    expect(mid).toBeGreaterThan(0.3)
    expect(mid).toBeLessThan(0.6)
  })
})
