import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LiveConnection } from './live.ts'
import type { LiveEvent } from './types.ts'

class FakeSocket {
  static all: FakeSocket[] = []
  readyState = 0
  sent: string[] = []
  onopen: (() => void) | null = null
  onmessage: ((e: { data: unknown }) => void) | null = null
  onclose: (() => void) | null = null
  constructor(readonly url: string) {
    FakeSocket.all.push(this)
  }
  send(d: string) {
    this.sent.push(d)
  }
  close() {
    this.readyState = 3
    this.onclose?.()
  }
  open() {
    this.readyState = 1
    this.onopen?.()
  }
  drop() {
    this.readyState = 3
    this.onclose?.()
  }
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.all = []
})
afterEach(() => vi.useRealTimers())

function connection(token: () => string | null | Promise<string | null> = () => 'tok') {
  const events: LiveEvent[] = []
  const states: string[] = []
  const live = new LiveConnection({
    token,
    onEvent: (e) => events.push(e),
    onState: (s) => states.push(s),
    url: (t) => `ws://edge/ws?access_token=${t}`,
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    random: () => 1,
  })
  return { live, events, states }
}

describe('LiveConnection', () => {
  it('connects with the token, passes events on and ignores pongs', () => {
    const { live, events } = connection()
    live.start()
    const ws = FakeSocket.all[0]!
    expect(ws.url).toBe('ws://edge/ws?access_token=tok')
    ws.open()
    ws.onmessage?.({ data: 'pong' })
    ws.onmessage?.({ data: 'not json' })
    ws.onmessage?.({
      data: JSON.stringify({
        type: 'note.ready',
        recording_id: 'r1',
        note_id: 'n1',
        status: 'done',
      }),
    })
    expect(events).toEqual([
      { type: 'note.ready', recording_id: 'r1', note_id: 'n1', status: 'done' },
    ])
    vi.advanceTimersByTime(25_000)
    expect(ws.sent).toEqual(['ping'])
  })

  it('reconnects by itself with growing delays, reset once a connection opens', () => {
    const { live } = connection()
    live.start()
    FakeSocket.all[0]!.drop()
    vi.advanceTimersByTime(999)
    expect(FakeSocket.all).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeSocket.all).toHaveLength(2) // 1 s
    FakeSocket.all[1]!.drop()
    vi.advanceTimersByTime(1999)
    expect(FakeSocket.all).toHaveLength(2)
    vi.advanceTimersByTime(1)
    expect(FakeSocket.all).toHaveLength(3) // 2 s
    FakeSocket.all[2]!.open()
    FakeSocket.all[2]!.drop()
    vi.advanceTimersByTime(1000)
    expect(FakeSocket.all).toHaveLength(4) // back to 1 s after a good connection
  })

  it('stays closed after stop() and while signed out', () => {
    let token: string | null = 'tok'
    const { live, states } = connection(() => token)
    live.start()
    live.stop()
    vi.advanceTimersByTime(60_000)
    expect(FakeSocket.all).toHaveLength(1)
    expect(states.at(-1)).toBe('closed')
    token = null
    live.start()
    expect(FakeSocket.all).toHaveLength(1)
  })

  it('asks for the current token at every connect, so a renewed one is used after a drop', async () => {
    let token = 'old'
    const { live } = connection(async () => token)
    live.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeSocket.all.map((w) => w.url)).toEqual(['ws://edge/ws?access_token=old'])
    token = 'renewed'
    FakeSocket.all[0]!.drop()
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeSocket.all.at(-1)?.url).toBe('ws://edge/ws?access_token=renewed')
  })

  it('does not connect when stopped while its token was being renewed', async () => {
    let resolve: (t: string) => void = () => {}
    const { live } = connection(() => new Promise((r) => (resolve = r)))
    live.start()
    live.stop()
    resolve('late')
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeSocket.all).toHaveLength(0)
  })
})
