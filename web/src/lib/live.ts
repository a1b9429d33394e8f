// Live status over the WebSocket: reconnects by itself with backoff and jitter, pings to keep
// proxies from closing an idle socket, and stays closed while nobody is signed in.
import { backoffDelay } from './queue.ts'
import type { LiveEvent } from './types.ts'

export type LiveState = 'connecting' | 'open' | 'closed'

export type LiveOptions = {
  /** The current access token, asked at every (re)connect so a renewed one is used. */
  token: () => string | null | Promise<string | null>
  onEvent: (e: LiveEvent) => void
  onState?: (s: LiveState) => void
  url?: (token: string) => string
  WebSocketImpl?: typeof WebSocket
  random?: () => number
}

const PING_MS = 25_000

export class LiveConnection {
  private ws: WebSocket | null = null
  private attempt = 0
  private retry: ReturnType<typeof setTimeout> | undefined
  private ping: ReturnType<typeof setInterval> | undefined
  private active = false
  /** Bumped by stop(): a connect still waiting for its token then gives up. */
  private generation = 0

  constructor(private readonly o: LiveOptions) {}

  start() {
    this.active = true
    if (!this.ws) this.connect()
  }

  stop() {
    this.active = false
    this.generation++
    clearTimeout(this.retry)
    clearInterval(this.ping)
    const ws = this.ws
    this.ws = null
    ws?.close(1000)
    this.o.onState?.('closed')
  }

  /** Reconnect now (the network came back, a new token). */
  restart() {
    this.stop()
    this.attempt = 0
    this.start()
  }

  private connect() {
    const generation = this.generation
    const token = this.o.token()
    // A provider may have to renew the token first; a stored one connects right away.
    if (typeof token === 'string' || token === null) return this.open(token, generation)
    token.then(
      (t) => this.open(t, generation),
      () => this.open(null, generation)
    )
  }

  private open(token: string | null, generation: number) {
    // stop() since the token was asked for, or two starts raced and the other one connected.
    if (generation !== this.generation || this.ws || !this.active || !token) return
    const url =
      this.o.url?.(token) ??
      `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws?access_token=${encodeURIComponent(token)}`
    const Impl = this.o.WebSocketImpl ?? WebSocket
    const ws = new Impl(url)
    this.ws = ws
    this.o.onState?.('connecting')
    ws.onopen = () => {
      this.attempt = 0
      this.o.onState?.('open')
      clearInterval(this.ping)
      this.ping = setInterval(() => ws.readyState === 1 && ws.send('ping'), PING_MS)
    }
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string' || e.data === 'pong') return
      try {
        this.o.onEvent(JSON.parse(e.data) as LiveEvent)
      } catch {
        // not an event
      }
    }
    ws.onclose = () => {
      clearInterval(this.ping)
      if (this.ws !== ws) return
      this.ws = null
      this.o.onState?.('closed')
      if (!this.active) return
      const delay = backoffDelay(this.attempt++, 1000, 30_000, (this.o.random ?? Math.random)())
      this.retry = setTimeout(() => this.connect(), delay)
    }
  }
}
