// The recorder's plumbing with a fake microphone and Web Audio graph: every second of PCM lands
// in IndexedDB while recording, nothing while paused, and stop hands the recording to the queue.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openStore } from './db.ts'
import type { LocalStore } from './db.ts'
import { Recorder } from './recorder.ts'
import { chooseRecordingFormat } from './recording-format.ts'

type Port = { onmessage: ((e: MessageEvent) => void) | null; postMessage: (m: unknown) => void }
let port: Port
let ctxState: string
const trackStop = vi.fn()

class FakeNode {
  connect(n: unknown) {
    return n
  }
}
class FakeWorkletNode extends FakeNode {
  port: Port & { close: () => void }
  constructor() {
    super()
    this.port = {
      onmessage: null,
      // The worklet answers 'flush' with its partial block.
      postMessage: (m) =>
        m === 'flush' &&
        queueMicrotask(() =>
          this.port.onmessage?.({ data: new Float32Array(480) } as MessageEvent)
        ),
      close: () => {},
    }
    port = this.port
  }
}
class FakeAudioContext {
  sampleRate = 48_000
  destination = new FakeNode()
  audioWorklet = { addModule: vi.fn(async () => {}) }
  constructor() {
    ctxState = 'running'
  }
  createMediaStreamSource() {
    return new FakeNode()
  }
  createGain() {
    return Object.assign(new FakeNode(), { gain: { value: 1 } })
  }
  async suspend() {
    ctxState = 'suspended'
  }
  async resume() {
    ctxState = 'running'
  }
  async close() {
    ctxState = 'closed'
  }
}

/** One second of 48 kHz audio in the worklet's 4096-frame blocks (plus a remainder). */
function feedSeconds(n: number, value = 0.1) {
  const total = 48_000 * n
  for (let sent = 0; sent < total; sent += 4096) {
    const len = Math.min(4096, total - sent)
    port.onmessage?.({ data: new Float32Array(len).fill(value) } as MessageEvent)
  }
}

let store: LocalStore
let n = 0
beforeEach(async () => {
  store = await openStore(`recorder-test-${++n}`)
  vi.stubGlobal('AudioContext', FakeAudioContext)
  vi.stubGlobal('AudioWorkletNode', FakeWorkletNode)
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: { getUserMedia: vi.fn(async () => ({ getTracks: () => [{ stop: trackStop }] })) },
  })
})
afterEach(() => {
  vi.unstubAllGlobals()
  store.close()
})

const settle = () => new Promise((r) => setTimeout(r, 10))

describe('Recorder', () => {
  it('stores PCM chunks as they are captured, pauses, resumes and stops into the queue', async () => {
    const rec = new Recorder(store)
    const levels: number[] = []
    rec.onLevel((l) => levels.push(l))
    const id = await rec.start({ template: 'soap-brief', language: 'fr', patientRef: 'P-9' })
    expect(rec.state).toBe('recording')
    expect(await store.get(id)).toMatchObject({
      status: 'capturing',
      template: 'soap-brief',
      language: 'fr',
      patientRef: 'P-9',
      sampleRate: 16_000,
    })

    feedSeconds(2)
    await settle()
    // Already on disk while still recording: 16 kHz × 2 bytes per second.
    const during = await store.get(id)
    expect(during?.chunkCount).toBeGreaterThanOrEqual(1)
    expect(during?.bytes).toBeGreaterThanOrEqual(32_000)
    expect(levels.some((l) => l > 0)).toBe(true)

    await rec.pause()
    expect(rec.state).toBe('paused')
    expect(ctxState).toBe('suspended')
    const atPause = (await store.get(id))!.bytes
    expect(atPause).toBe(Math.floor((2 * 48_000) / 3) * 2) // the partial second is flushed too
    feedSeconds(1) // blocks arriving while paused are dropped
    await settle()
    expect((await store.get(id))!.bytes).toBe(atPause)

    await rec.resume()
    expect(rec.state).toBe('recording')
    feedSeconds(1)
    const stopped = await rec.stop()
    expect(stopped).toBe(id)
    expect(rec.state).toBe('idle')
    expect(ctxState).toBe('closed')
    expect(trackStop).toHaveBeenCalled()

    const saved = await store.get(id)
    expect(saved?.status).toBe('pending')
    const pcm = await store.chunks(id)
    const bytes = pcm.reduce((s, c) => s + c.byteLength, 0)
    expect(bytes).toBe(saved?.bytes)
    // 3 s recorded plus the worklet's last 10 ms, at 16 kHz 16-bit
    expect(bytes).toBe((2 * 16_000 + 16_000 + 160) * 2)
    expect(new Int16Array(pcm[0]!)[0]).toBe(Math.round(0.1 * 0x7fff))
  })

  it('refuses to start twice and leaves nothing behind when the microphone is refused', async () => {
    const denied = Object.assign(new Error('denied'), { name: 'NotAllowedError' })
    ;(navigator.mediaDevices.getUserMedia as ReturnType<typeof vi.fn>).mockRejectedValueOnce(denied)
    const rec = new Recorder(store)
    await expect(rec.start({ template: 'soap', language: 'en', patientRef: '' })).rejects.toBe(
      denied
    )
    expect(rec.state).toBe('idle')
    expect(await store.list()).toEqual([])
    await rec.start({ template: 'soap', language: 'en', patientRef: '' })
    await expect(rec.start({ template: 'soap', language: 'en', patientRef: '' })).rejects.toThrow(
      'cannot start while recording'
    )
  })

  it('records Opus through MediaRecorder where the browser has it, a chunk a second on disk', async () => {
    vi.stubGlobal('MediaRecorder', FakeMediaRecorder)
    const rec = new Recorder(store, undefined, () => chooseRecordingFormat(FakeMediaRecorder))
    const id = await rec.start({ template: 'soap', language: 'en', patientRef: '' })
    const encoder = FakeMediaRecorder.last!
    expect(encoder.options).toEqual({
      mimeType: 'audio/webm;codecs=opus',
      audioBitsPerSecond: 24_000,
    })
    expect(encoder.timeslice).toBe(1000)
    expect(await store.get(id)).toMatchObject({ mimeType: 'audio/webm;codecs=opus' })

    feedSeconds(1) // the worklet's PCM feeds the level meter only
    encoder.emit('HEADER+CLUSTER1')
    encoder.emit('CLUSTER2')
    await settle()
    // On disk while recording: a crash now leaves the container's first two chunks.
    expect((await store.get(id))?.chunkCount).toBe(2)

    await rec.pause()
    expect(encoder.state).toBe('paused')
    await rec.resume()
    expect(encoder.state).toBe('recording')
    await rec.stop()
    const saved = await store.get(id)
    expect(saved?.status).toBe('pending')
    const text = (await store.chunks(id)).map((c) => new TextDecoder().decode(c)).join('|')
    expect(text).toBe('HEADER+CLUSTER1|CLUSTER2|PAUSED|LAST')
  })
})

/** MediaRecorder as the page sees it: chunks arrive as dataavailable events. */
class FakeMediaRecorder {
  static last: FakeMediaRecorder | null = null
  static isTypeSupported = (t: string) => t === 'audio/webm;codecs=opus'
  state: 'inactive' | 'recording' | 'paused' = 'inactive'
  timeslice = 0
  ondataavailable: ((e: { data: Blob }) => void) | null = null
  onstop: (() => void) | null = null
  constructor(
    _stream: unknown,
    readonly options: unknown
  ) {
    FakeMediaRecorder.last = this
  }
  emit(text: string) {
    this.ondataavailable?.({ data: new Blob([text]) })
  }
  start(timeslice: number) {
    this.timeslice = timeslice
    this.state = 'recording'
  }
  pause() {
    this.state = 'paused'
  }
  requestData() {
    this.emit('PAUSED')
  }
  resume() {
    this.state = 'recording'
  }
  stop() {
    this.emit('LAST')
    this.state = 'inactive'
    queueMicrotask(() => this.onstop?.())
  }
}
