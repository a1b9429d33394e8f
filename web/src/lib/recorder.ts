// Web Audio plumbing around RecorderMachine: microphone → AudioWorklet → 16 kHz 16-bit PCM,
// written to IndexedDB one second at a time as it is captured, before any upload.
import type { LocalStore } from './db.ts'
import { RecorderMachine } from './recorder-machine.ts'
import type { RecorderState } from './recorder-machine.ts'
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

  constructor(
    private readonly store: LocalStore,
    private readonly locks: TabLocks = inProcessLocks()
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
        durationMs: 0,
        bytes: 0,
        chunkCount: 0,
        attempts: 0,
        nextAttemptAt: 0,
        lastError: null,
      })
      this.id = id
      node.port.onmessage = (e: MessageEvent<Float32Array>) => this.onBlock(e.data)
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
    const pcm = this.downsampler.process(block)
    this.pending.push(pcm)
    this.pendingSamples += pcm.length
    if (this.pendingSamples >= CHUNK_SAMPLES) this.flush()
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
    this.writes = this.writes
      .then(() => this.store.appendChunk(id, seq, joined.buffer))
      .catch((err: unknown) => {
        this.error = `could not save audio on this device: ${String(err)}`
        this.onError?.(this.error)
      })
  }

  async pause() {
    this.machine.send('pause')
    for (const fn of this.levelListeners) fn(0)
    this.flush()
    await this.ctx?.suspend()
  }

  async resume() {
    await this.ctx?.resume()
    this.machine.send('resume')
  }

  /** Stops, stores the last samples, and hands the recording to the upload queue. */
  async stop(): Promise<string> {
    const id = this.id
    if (!id) throw new Error('not recording')
    const wasRecording = this.machine.state === 'recording'
    // Ask the worklet for its partial block so the last fraction of a second is kept.
    if (wasRecording && this.node) {
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
