// Live status over the WebSocket: reconnects by itself with backoff and jitter, pings to keep
// proxies from closing an idle socket, and stays closed while nobody is signed in.
import { backoffDelay } from './queue.ts'
import type { LiveEvent } from './types.ts'

export type LiveState = 'connecting' | 'open' | 'closed'

export type LiveOptions = {
  token: () => string | null
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

  constructor(private readonly o: LiveOptions) {}

  start() {
    this.active = true
    if (!this.ws) this.connect()
  }

  stop() {
    this.active = false
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
    const token = this.o.token()
    if (!this.active || !token) return
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
