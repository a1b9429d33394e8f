// The recorder's states, apart from any audio plumbing: idle → recording ⇄ paused → stopped.
// It also keeps the timer: time spent recording, pauses excluded.

export type RecorderState = 'idle' | 'recording' | 'paused' | 'stopped'
export type RecorderEvent = 'start' | 'pause' | 'resume' | 'stop' | 'reset'

const TRANSITIONS: Record<RecorderState, Partial<Record<RecorderEvent, RecorderState>>> = {
  idle: { start: 'recording' },
  recording: { pause: 'paused', stop: 'stopped' },
  paused: { resume: 'recording', stop: 'stopped' },
  stopped: { reset: 'idle' },
}

export class InvalidTransition extends Error {
  constructor(from: RecorderState, event: RecorderEvent) {
    super(`cannot ${event} while ${from}`)
    this.name = 'InvalidTransition'
  }
}

export class RecorderMachine {
  private current: RecorderState = 'idle'
  private accumulated = 0
  private since: number | null = null
  private readonly listeners = new Set<(s: RecorderState) => void>()

  constructor(private readonly now: () => number = () => performance.now()) {}

  get state(): RecorderState {
    return this.current
  }

  can(event: RecorderEvent): boolean {
    return TRANSITIONS[this.current][event] !== undefined
  }

  send(event: RecorderEvent): RecorderState {
    const next = TRANSITIONS[this.current][event]
    if (!next) throw new InvalidTransition(this.current, event)
    const t = this.now()
    if (this.since !== null) this.accumulated += t - this.since
    this.since = next === 'recording' ? t : null
    if (event === 'reset') this.accumulated = 0
    this.current = next
    for (const l of this.listeners) l(next)
    return next
  }

  /** Milliseconds recorded so far, pauses excluded. */
  elapsedMs(): number {
    return this.accumulated + (this.since === null ? 0 : this.now() - this.since)
  }

  subscribe(fn: (s: RecorderState) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
}

export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const mm = String(m).padStart(h ? 2 : 1, '0')
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`
}
