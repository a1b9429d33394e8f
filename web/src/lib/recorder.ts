// Web Audio plumbing around RecorderMachine: microphone → MediaRecorder's Opus (WebM or Ogg) where
// the browser has it, else AudioWorklet → 16 kHz 16-bit PCM (recording-format.ts says why);
// written to IndexedDB one second at a time as it is captured, before any upload. The worklet
// runs in both cases: it feeds the level meter.
import type { LocalStore } from './db.ts'
import { RecorderMachine } from './recorder-machine.ts'
import type { RecorderState } from './recorder-machine.ts'
import { OPUS_BITS_PER_SECOND, chooseRecordingFormat } from './recording-format.ts'
import type { RecordingFormat } from './recording-format.ts'
import { captureLock, inProcessLocks } from './tab-locks.ts'
import type { TabLocks } from './tab-locks.ts'
import { Downsampler, TARGET_RATE, level } from './wav.ts'

/** `template`: a built-in template's name or a template's id (GET /api/templates). */
export type RecordingOptions = { template: string; language: string; patientRef: string }

const CHUNK_SAMPLES = TARGET_RATE // one second per IndexedDB write

export function newRecordingId(): string {
  return `rec-${crypto.randomUUID()}`
}

export class Recorder {
  readonly machine = new RecorderMachine()
  private stream: MediaStream | null = null
  private ctx: AudioContext | null = null
  private node: AudioWorkletNode | null = null
  private downsampler: Downsampler | null = null
  private pending: Int16Array[] = []
  private pendingSamples = 0
  private seq = 0
  private writes: Promise<void> = Promise.resolve()
  private id: string | null = null
  private levelListeners = new Set<(l: number) => void>()
  /** Set when a chunk could not be stored (quota, a closed database): shown, never hidden. */
  error: string | null = null
  onError: ((message: string) => void) | null = null

  private releaseCapture: (() => void) | null = null
  private encoder: MediaRecorder | null = null

  constructor(
    private readonly store: LocalStore,
    private readonly locks: TabLocks = inProcessLocks(),
    private readonly chooseFormat: () => RecordingFormat = chooseRecordingFormat
  ) {}

  get state(): RecorderState {
    return this.machine.state
  }

  get recordingId(): string | null {
    return this.id
  }

  onLevel(fn: (l: number) => void): () => void {
    this.levelListeners.add(fn)
    return () => this.levelListeners.delete(fn)
  }

  async start(opts: RecordingOptions): Promise<string> {
    if (!this.machine.can('start')) throw new Error(`cannot start while ${this.state}`)
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('this browser cannot record audio (or the page is not served over HTTPS)')
    }
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
    })
    try {
      const ctx = new AudioContext()
      await ctx.audioWorklet.addModule('/pcm-worklet.js')
      const source = ctx.createMediaStreamSource(stream)
      const node = new AudioWorkletNode(ctx, 'pcm-capture', {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        channelCount: 1,
      })
      // A silent path to the destination keeps the graph pulling the worklet in every browser.
      const mute = ctx.createGain()
      mute.gain.value = 0
      source.connect(node).connect(mute).connect(ctx.destination)
      this.stream = stream
      this.ctx = ctx
      this.node = node
      this.downsampler = new Downsampler(ctx.sampleRate)
      this.seq = 0
      this.pending = []
      this.pendingSamples = 0
      this.error = null
      const format = this.chooseFormat()
      const encoder =
        format.kind === 'opus'
          ? new MediaRecorder(stream, {
              mimeType: format.mimeType,
              audioBitsPerSecond: OPUS_BITS_PER_SECOND,
            })
          : null
      const id = newRecordingId()
      // Held while capturing: other tabs' queues leave this recording alone until it is stopped
      // or this tab is closed (the browser then releases the lock).
      this.releaseCapture = await this.locks.hold(captureLock(id))
      await this.store.put({
        id,
        createdAt: Date.now(),
        status: 'capturing',
        template: opts.template,
        language: opts.language,
        patientRef: opts.patientRef,
        sampleRate: TARGET_RATE,
        mimeType: format.mimeType,
        durationMs: 0,
        bytes: 0,
        chunkCount: 0,
        attempts: 0,
        nextAttemptAt: 0,
        lastError: null,
      })
      this.id = id
      this.encoder = encoder
      node.port.onmessage = (e: MessageEvent<Float32Array>) => this.onBlock(e.data)
      if (encoder) {
        encoder.ondataavailable = (e: BlobEvent) => this.saveEncoded(id, e.data)
        encoder.start(1000) // a chunk a second, saved as it comes
      }
      this.machine.send('start')
      return id
    } catch (err) {
      this.releaseCapture?.()
      this.releaseCapture = null
      stream.getTracks().forEach((t) => t.stop())
      await this.ctx?.close().catch(() => {})
      this.ctx = null
      throw err
    }
  }

  private onBlock(block: Float32Array) {
    if (this.machine.state !== 'recording' || !this.downsampler) return
    const l = level(block)
    for (const fn of this.levelListeners) fn(l)
    if (this.encoder) return // the PCM only measures the level; MediaRecorder records
    const pcm = this.downsampler.process(block)
    this.pending.push(pcm)
    this.pendingSamples += pcm.length
    if (this.pendingSamples >= CHUNK_SAMPLES) this.flush()
  }

  /** Queues one chunk of MediaRecorder's container for IndexedDB, in order with the others. */
  private saveEncoded(id: string, data: Blob) {
    if (data.size === 0) return
    const seq = this.seq++
    this.queueWrite(async () => this.store.appendChunk(id, seq, await data.arrayBuffer()))
  }

  private queueWrite(write: () => Promise<void>) {
    this.writes = this.writes.then(write).catch((err: unknown) => {
      this.error = `could not save audio on this device: ${String(err)}`
      this.onError?.(this.error)
    })
  }

  /** Queues the buffered PCM for IndexedDB; writes stay in order. */
  private flush() {
    if (!this.id || this.pendingSamples === 0) return
    const joined = new Int16Array(this.pendingSamples)
    let at = 0
    for (const p of this.pending) {
      joined.set(p, at)
      at += p.length
    }
    this.pending = []
    this.pendingSamples = 0
    const id = this.id
    const seq = this.seq++
    this.queueWrite(() => this.store.appendChunk(id, seq, joined.buffer))
  }

  async pause() {
    this.machine.send('pause')
    for (const fn of this.levelListeners) fn(0)
    this.flush()
    if (this.encoder?.state === 'recording') {
      this.encoder.pause()
      this.encoder.requestData() // what was said before the pause is on disk now
    }
    await this.ctx?.suspend()
  }

  async resume() {
    await this.ctx?.resume()
    if (this.encoder?.state === 'paused') this.encoder.resume()
    this.machine.send('resume')
  }

  /** Stops, stores the last samples, and hands the recording to the upload queue. */
  async stop(): Promise<string> {
    const id = this.id
    if (!id) throw new Error('not recording')
    const wasRecording = this.machine.state === 'recording'
    // Ask the worklet for its partial block so the last fraction of a second is kept.
    if (wasRecording && this.node && !this.encoder) {
      await new Promise<void>((resolve) => {
        const node = this.node!
        const t = setTimeout(resolve, 300)
        node.port.onmessage = (e: MessageEvent<Float32Array>) => {
          this.onBlock(e.data)
          if (e.data.length < 4096) {
            clearTimeout(t)
            resolve()
          }
        }
        node.port.postMessage('flush')
      })
    }
    const durationMs = this.machine.elapsedMs()
    this.machine.send('stop')
    this.flush()
    const encoder = this.encoder
    if (encoder && encoder.state !== 'inactive') {
      // The last dataavailable comes before 'stop'; a browser that never says stop is not waited on.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2_000)
        encoder.onstop = () => {
          clearTimeout(t)
          resolve()
        }
        encoder.stop()
      })
    }
    this.encoder = null
    this.node?.port.close()
    this.stream?.getTracks().forEach((t) => t.stop())
    await this.ctx?.close().catch(() => {})
    this.node = null
    this.stream = null
    this.ctx = null
    for (const fn of this.levelListeners) fn(0)
    await this.writes
    const rec = await this.store.get(id)
    if (rec) await this.store.put({ ...rec, status: 'pending', durationMs })
    this.releaseCapture?.()
    this.releaseCapture = null
    this.id = null
    this.machine.send('reset')
    return id
  }
}
