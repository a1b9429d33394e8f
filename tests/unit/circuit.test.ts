import { describe, expect, it } from 'vitest'
import { Circuit } from '../../api/src/jobs/circuit.ts'
import { backoffMs } from '../../api/src/jobs/backoff.ts'

const fakeClock = () => {
  const clock = { t: 1_000_000, now: () => clock.t }
  return clock
}

describe('Circuit', () => {
  it('should open after the threshold of consecutive failures and refuse calls while open', () => {
    const clock = fakeClock()
    const changes: string[] = []
    const c = new Circuit('dg', clock, 3, 10_000, (_n, s) => changes.push(s))
    c.failure()
    c.failure()
    expect(c.state).toBe('closed')
    c.failure()
    expect(c.state).toBe('open')
    expect(c.tryAcquire()).toBe(false)
    expect(changes).toEqual(['open'])
  })

  it('should let exactly one trial through when half-open, and close on its success', () => {
    const clock = fakeClock()
    const c = new Circuit('dg', clock, 1, 10_000)
    c.failure()
    clock.t += 10_000
    expect(c.state).toBe('half-open')
    expect(c.tryAcquire()).toBe(true)
    expect(c.tryAcquire()).toBe(false)
    c.success()
    expect(c.state).toBe('closed')
    expect(c.tryAcquire()).toBe(true)
  })

  it('should reopen for a full period when the trial fails', () => {
    const clock = fakeClock()
    const c = new Circuit('dg', clock, 1, 10_000)
    c.failure()
    clock.t += 10_000
    expect(c.tryAcquire()).toBe(true)
    c.failure()
    expect(c.state).toBe('open')
    clock.t += 9_999
    expect(c.state).toBe('open')
  })

  it('should reset the failure count on success', () => {
    const c = new Circuit('dg', fakeClock(), 2, 1_000)
    c.failure()
    c.success()
    c.failure()
    expect(c.state).toBe('closed')
  })
})

describe('backoffMs', () => {
  it('should grow exponentially with jitter between half and all of the step, up to the cap', () => {
    expect(backoffMs(1, () => 0, 1_000, 60_000)).toBe(500)
    expect(backoffMs(1, () => 1, 1_000, 60_000)).toBe(1_000)
    expect(backoffMs(4, () => 0.5, 1_000, 60_000)).toBe(6_000)
    expect(backoffMs(30, () => 1, 1_000, 60_000)).toBe(60_000)
  })
})
