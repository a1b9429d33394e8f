// The upload queue. Recordings wait in IndexedDB until the server answers 202; the queue retries
// with exponential backoff and jitter, pauses while offline or signed out, and picks up again
// after a reload (a new queue over the same database). The local recording id is the
// Idempotency-Key, so an upload interrupted after the server stored it is not stored twice.
// With several tabs open, only the one holding the upload lock sends anything.
import type { LocalRecording, LocalStore } from './db.ts'
import { UPLOAD_LOCK, captureLock, inProcessLocks } from './tab-locks.ts'
import type { TabLocks } from './tab-locks.ts'
import { storedFormat } from './recording-format.ts'
import { wavBlob } from './wav.ts'
import { backoffDelay } from '../../../api/src/contract/retry.ts'

export type SendRequest = {
  recording: LocalRecording
  audio: Blob
  idempotencyKey: string
  token: string
  onProgress: (fraction: number) => void
}
/** status 0: the network failed. */
export type SendResult = { status: number; body: unknown; retryAfterMs?: number }
export type Sender = (req: SendRequest) => Promise<SendResult>

export type QueueItem = LocalRecording & { progress: number | null }
export type QueueSnapshot = {
  items: QueueItem[]
  online: boolean
  signedIn: boolean
  /** Recordings stopped and not yet acknowledged (failed ones excluded). */
  waiting: number
}

export type QueueOptions = {
  store: LocalStore
  send: Sender
  /** The access token to send now (a provider may renew it first); null: nobody signed in. */
  getToken: () => string | null | Promise<string | null>
  /**
   * After a 401: one renewed token to retry with (Supabase), or null. Without it (local mode,
   * the service worker) a 401 pauses the queue until the clinician signs in again.
   */
  refreshToken?: () => Promise<string | null>
  onUnauthorized?: () => void
  onUploaded?: (localId: string, serverId: string) => void
  online?: boolean
  /** Shared with the Recorder, so a capture in progress (in any tab) is never taken as stale. */
  locks?: TabLocks
  now?: () => number
  random?: () => number
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (handle: unknown) => void
  baseDelayMs?: number
  maxDelayMs?: number
}

// The same backoff as the server's job queue: one function, in the contract.
export { backoffDelay }

// 507: the server's audio volume is full, which an operator fixes; the upload waits meanwhile.
const RETRYABLE = new Set([0, 408, 425, 429, 500, 502, 503, 504, 507])

export class UploadQueue {
  private readonly o: Required<
    Omit<QueueOptions, 'onUnauthorized' | 'onUploaded' | 'refreshToken'>
  > &
    Pick<QueueOptions, 'onUnauthorized' | 'onUploaded' | 'refreshToken'>
  private online: boolean
  private running = false
  private current: Promise<void> = Promise.resolve()
  private again = false
  private timer: unknown = null
  private stopped = false
  private readonly progress = new Map<string, number>()
  private readonly listeners = new Set<(s: QueueSnapshot) => void>()
  private snapshotCache: QueueSnapshot = { items: [], online: true, signedIn: false, waiting: 0 }

  constructor(opts: QueueOptions) {
    this.o = {
      online: true,
      locks: inProcessLocks(),
      now: () => Date.now(),
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      baseDelayMs: 2_000,
      maxDelayMs: 5 * 60_000,
      ...opts,
    }
    this.online = this.o.online
  }

  /** On load: shows what the device holds, then runs (which recovers what a closed tab left). */
  async start(): Promise<void> {
    await this.publish()
    this.kick()
  }

  /**
   * Under the upload lock, "uploading" can only be left over from a tab that closed mid-upload,
   * and "capturing" without its capture lock from one that closed mid-recording: both become
   * pending again (every stored chunk is kept).
   */
  private async recoverAbandoned() {
    // The list first, the locks second: a recorder takes its capture lock before it writes
    // "capturing", so any capture listed here is already in the set of held locks if it lives.
    const listed = await this.o.store.list()
    const held = await this.o.locks.held()
    for (const { id } of listed) {
      await this.o.store.update(id, (rec) =>
        rec.status === 'uploading' || (rec.status === 'capturing' && !held.has(captureLock(id)))
          ? { ...rec, status: 'pending' }
          : null
      )
    }
  }

  stop() {
    this.stopped = true
    if (this.timer !== null) this.o.clearTimer(this.timer)
    this.timer = null
  }

  setOnline(online: boolean) {
    this.online = online
    if (online) {
      // Back online: try now rather than wait out a backoff meant for a dead network.
      void this.skipBackoff()
    } else {
      void this.publish()
    }
  }

  /** Runs the queue soon (a recording stopped, a sign-in, the network came back). */
  kick() {
    if (this.stopped) return
    if (this.running) {
      this.again = true
      return
    }
    this.current = this.run()
  }

  /** Resolves once the queue has nothing to do right now (tests, and the app's shutdown). */
  async whenIdle(): Promise<void> {
    let seen: Promise<void> | null = null
    while (seen !== this.current) {
      seen = this.current
      await seen
    }
  }

  /** The user asked: clears the backoff, and a refusal, of one recording or all, and runs. */
  async retryNow(id?: string) {
    await this.makeDue((rec) => (!id || rec.id === id) && rec.status !== 'capturing')
  }

  /**
   * The network is back (or the browser woke the service worker for it): what waits is sent
   * now, not after a backoff meant for a dead network. A refused upload stays refused: only the
   * user retries those.
   */
  async skipBackoff() {
    await this.makeDue((rec) => rec.status === 'pending')
  }

  private async makeDue(which: (rec: LocalRecording) => boolean) {
    // Record by record, as stored at that moment: another tab may have uploaded (and removed)
    // one, or started sending it, since the list was read.
    for (const { id } of await this.o.store.list()) {
      await this.o.store.update(id, (rec) =>
        (rec.status === 'pending' || rec.status === 'failed') && which(rec)
          ? { ...rec, status: 'pending', nextAttemptAt: 0 }
          : null
      )
    }
    this.kick()
  }

  /** Deletes a recording the user chose to discard (never called by the queue itself). */
  async discard(id: string) {
    await this.o.store.remove(id)
    this.progress.delete(id)
    await this.publish()
  }

  get snapshot(): QueueSnapshot {
    return this.snapshotCache
  }

  subscribe(fn: (s: QueueSnapshot) => void): () => void {
    this.listeners.add(fn)
    fn(this.snapshotCache)
    return () => this.listeners.delete(fn)
  }

  async publish() {
    const items = (await this.o.store.list()).map((r) => ({
      ...r,
      progress: this.progress.get(r.id) ?? null,
    }))
    this.snapshotCache = {
      items,
      online: this.online,
      signedIn: (await this.token()) !== null,
      waiting: items.filter((i) => i.status === 'pending' || i.status === 'uploading').length,
    }
    for (const l of this.listeners) l(this.snapshotCache)
  }

  private async run() {
    this.running = true
    try {
      // Another tab may be uploading: show the device's state while waiting for the lock.
      await this.publish()
      await this.o.locks.exclusive(UPLOAD_LOCK, async () => {
        await this.recoverAbandoned()
        do {
          this.again = false
          await this.drain()
        } while (this.again && !this.stopped)
      })
    } finally {
      this.running = false
      await this.publish()
    }
  }

  private async drain() {
    if (this.timer !== null) {
      this.o.clearTimer(this.timer)
      this.timer = null
    }
    while (!this.stopped) {
      await this.publish()
      if (!this.online) return
      const token = await this.token()
      if (!token) return
      const pending = (await this.o.store.list()).filter((r) => r.status === 'pending')
      if (pending.length === 0) return
      const now = this.o.now()
      const due = pending.find((r) => r.nextAttemptAt <= now)
      if (!due) {
        const next = Math.min(...pending.map((r) => r.nextAttemptAt))
        this.timer = this.o.setTimer(() => {
          this.timer = null
          this.kick()
        }, next - now)
        return
      }
      const carryOn = await this.upload(due, token)
      if (!carryOn) return
    }
  }

  private async token(): Promise<string | null> {
    try {
      return await this.o.getToken()
    } catch {
      return null
    }
  }

  /**
   * One attempt (and, after a 401, one more with a renewed token). Returns false when the queue
   * should stop (signed out). The recording stays stored whatever happens, until a 2xx.
   */
  private async upload(rec: LocalRecording, token: string, renewed = false): Promise<boolean> {
    await this.o.store.put({ ...rec, status: 'uploading' })
    this.progress.set(rec.id, 0)
    await this.publish()
    let result: SendResult
    try {
      const chunks = await this.o.store.chunks(rec.id)
      const format = storedFormat(rec.mimeType)
      const audio =
        format.kind === 'wav'
          ? wavBlob(chunks, rec.sampleRate)
          : new Blob(chunks, { type: format.mimeType })
      result = await this.o.send({
        recording: rec,
        audio,
        idempotencyKey: rec.id,
        token,
        onProgress: (f) => {
          this.progress.set(rec.id, f)
          for (const l of this.listeners) l(this.withProgress())
        },
      })
    } catch (err) {
      result = { status: 0, body: String(err) }
    }
    this.progress.delete(rec.id)
    const serverId = (result.body as { id?: unknown } | null)?.id
    if (result.status >= 200 && result.status < 300 && typeof serverId === 'string') {
      // Acknowledged: the server has the audio on disk. Only now does it leave the device.
      await this.o.store.remove(rec.id)
      this.o.onUploaded?.(rec.id, serverId)
      return true
    }
    if (result.status === 401) {
      // The token expired mid-queue (a laptop asleep past its hour): renew it once and resend.
      const fresh = renewed ? null : await this.o.refreshToken?.().catch(() => null)
      if (fresh) return this.upload(rec, fresh, true)
      await this.o.store.put({ ...rec, status: 'pending', lastError: 'signed out' })
      this.o.onUnauthorized?.()
      return false
    }
    const message = describe(result)
    if (RETRYABLE.has(result.status) || (result.status >= 200 && result.status < 300)) {
      const delay =
        result.retryAfterMs ??
        backoffDelay(rec.attempts, this.o.baseDelayMs, this.o.maxDelayMs, this.o.random())
      await this.o.store.put({
        ...rec,
        status: 'pending',
        attempts: rec.attempts + 1,
        nextAttemptAt: this.o.now() + delay,
        lastError: message,
      })
    } else {
      // Refused for good (too large, not audio…): kept on the device for the user to decide.
      await this.o.store.put({
        ...rec,
        status: 'failed',
        attempts: rec.attempts + 1,
        lastError: message,
      })
    }
    return true
  }

  private withProgress(): QueueSnapshot {
    return {
      ...this.snapshotCache,
      items: this.snapshotCache.items.map((i) => ({
        ...i,
        progress: this.progress.get(i.id) ?? null,
      })),
    }
  }
}

function describe(r: SendResult): string {
  const msg = (r.body as { error?: { message?: string } } | null)?.error?.message
  if (r.status === 0) return 'the network failed'
  return msg ? `${r.status}: ${msg}` : `the server answered ${r.status}`
}
