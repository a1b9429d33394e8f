import { describe, expect, it } from 'vitest'
import { InvalidTransition, RecorderMachine, formatDuration } from './recorder-machine.ts'

function clock() {
  let t = 0
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

describe('RecorderMachine', () => {
  it('goes idle → recording ⇄ paused → stopped → idle', () => {
    const m = new RecorderMachine(() => 0)
    const seen: string[] = []
    m.subscribe((s) => seen.push(s))
    expect(m.state).toBe('idle')
    m.send('start')
    m.send('pause')
    m.send('resume')
    m.send('pause')
    m.send('stop')
    m.send('reset')
    expect(seen).toEqual(['recording', 'paused', 'recording', 'paused', 'stopped', 'idle'])
  })

  it('refuses transitions that make no sense', () => {
    const m = new RecorderMachine(() => 0)
    expect(m.can('pause')).toBe(false)
    expect(() => m.send('pause')).toThrow(InvalidTransition)
    expect(() => m.send('stop')).toThrow('cannot stop while idle')
    m.send('start')
    expect(() => m.send('start')).toThrow(InvalidTransition)
    expect(() => m.send('resume')).toThrow(InvalidTransition)
    m.send('stop')
    expect(() => m.send('resume')).toThrow(InvalidTransition)
    expect(m.state).toBe('stopped')
  })

  it('times recording only, not pauses', () => {
    const c = clock()
    const m = new RecorderMachine(c.now)
    m.send('start')
    c.advance(10_000)
    expect(m.elapsedMs()).toBe(10_000)
    m.send('pause')
    c.advance(60_000)
    expect(m.elapsedMs()).toBe(10_000)
    m.send('resume')
    c.advance(5_000)
    m.send('stop')
    c.advance(5_000)
    expect(m.elapsedMs()).toBe(15_000)
    m.send('reset')
    expect(m.elapsedMs()).toBe(0)
  })

  it('formats the timer', () => {
    expect(formatDuration(0)).toBe('0:00')
    expect(formatDuration(65_400)).toBe('1:05')
    expect(formatDuration(3_725_000)).toBe('1:02:05')
  })
})
