import type { Clock } from '../lib/clock.ts'

export type CircuitState = 'closed' | 'open' | 'half-open'

/**
 * One breaker per provider. After `threshold` consecutive failures the circuit opens and the
 * queue stops handing that provider work (jobs wait, they do not fail); after `openMs` one
 * trial call is let through, and its success closes the circuit again.
 */
export class Circuit {
  private failures = 0
  private openedAt: number | undefined
  private trialInFlight = false

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    private readonly threshold = 5,
    private readonly openMs = 30_000,
    private readonly onChange: (name: string, state: CircuitState) => void = () => {}
  ) {}

  get state(): CircuitState {
    if (this.openedAt === undefined) return 'closed'
    return this.clock.now() - this.openedAt >= this.openMs ? 'half-open' : 'open'
  }

  /** Whether a call may start now; in half-open state only one trial runs at a time. */
  tryAcquire(): boolean {
    const s = this.state
    if (s === 'closed') return true
    if (s === 'open' || this.trialInFlight) return false
    this.trialInFlight = true
    return true
  }

  success(): void {
    const was = this.state
    this.failures = 0
    this.openedAt = undefined
    this.trialInFlight = false
    if (was !== 'closed') this.onChange(this.name, 'closed')
  }

  failure(): void {
    this.failures += 1
    const was = this.state
    this.trialInFlight = false
    if (was === 'half-open' || (was === 'closed' && this.failures >= this.threshold)) {
      this.openedAt = this.clock.now()
      this.onChange(this.name, 'open')
    }
  }

  /** A call that was acquired but not made (e.g. no job to run) must give back its trial slot. */
  release(): void {
    this.trialInFlight = false
  }
}
