// A real HTTP server that speaks the OpenAI-compatible speech-to-text API
// (`POST /v1/audio/transcriptions`, multipart) for tests that run the API as a child process,
// where msw cannot reach. It answers the verbose_json fixture and can hold, fail or count
// requests, so a test can kill the API while a provider call is in flight. Like OpenAI, it can
// refuse requests over a size limit with a 413, and it can shape its answer to the file.
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import transcription from '../fixtures/providers/openai-transcription-verbose.json' with { type: 'json' }

/** What one transcription request carried. */
export type SttRequest = {
  /** 1-based order of arrival. */
  index: number
  /** Date.now() when its body had arrived. */
  receivedAt: number
  model: string | undefined
  responseFormat: string | undefined
  language: string | undefined
  file: { filename: string; contentType: string; size: number } | undefined
}

export type FakeSttServer = {
  /** `http://127.0.0.1:PORT/v1`: what STT_BASE_URL takes. */
  readonly baseUrl: string
  /** Holds each transcription request this long before answering. */
  delayMs: number
  /** Transcription requests received (their body read in full), failed ones included. */
  readonly requests: number
  /** Requests answered with the transcript. */
  readonly answered: number
  /** Requests whose client went away before the answer (e.g. the API was killed). */
  readonly abandoned: number
  /** Requests being held right now. */
  readonly inFlight: number
  /** The most requests held at once. */
  readonly maxInFlight: number
  /** Every request, in order of arrival. */
  readonly log: readonly SttRequest[]
  /** The next `n` requests are answered with `status` and an OpenAI-style error body. */
  failNext(n: number, status?: number, headers?: Record<string, string>): void
  /** Forgets the failures still queued by failNext. */
  clearFailures(): void
  /** Resolves when the next request has arrived (its body read), while it is held. */
  onRequest(): Promise<SttRequest>
  /** Resolves once `n` requests in all have arrived. */
  whenRequests(n: number): Promise<void>
  close(): Promise<void>
}

type Part = { name: string; filename?: string; contentType?: string; body: Buffer }

/** Just enough multipart/form-data parsing to check what the SDK sent. */
export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  const boundary = m?.[1] ?? m?.[2]
  if (!boundary) return []
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: Part[] = []
  let start = body.indexOf(delimiter)
  while (start !== -1) {
    const from = start + delimiter.length
    if (body.subarray(from, from + 2).toString() === '--') break
    const next = body.indexOf(delimiter, from)
    if (next === -1) break
    // Each part: CRLF, headers, CRLF CRLF, body, CRLF, then the next delimiter.
    const raw = body.subarray(from + 2, next - 2)
    const split = raw.indexOf('\r\n\r\n')
    if (split !== -1) {
      const headers = raw.subarray(0, split).toString('utf8')
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? ''
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1]
      if (name !== undefined) {
        parts.push({
          name,
          filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1],
          contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim(),
          body: raw.subarray(split + 4),
        })
      }
    }
    start = next
  }
  return parts
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
) {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

/** OpenAI's limit on a transcription request: 25 MiB, the whole multipart body counted. */
export const OPENAI_MAX_REQUEST_BYTES = 26_214_400

export type FakeSttOptions = {
  delayMs?: number
  /** Bodies larger than this are refused with OpenAI's 413 (its real message and shape). */
  maxRequestBytes?: number
  /** The verbose_json answer for an uploaded file; default the fixture. */
  answer?: (file: Buffer) => unknown
  /** An HTTP status to fail this file with, every time (e.g. audio the engine cannot read). */
  refuse?: (file: Buffer) => number | undefined
  /** `host`/`port` default to a free loopback port; the chaos stack runs it in a container. */
  host?: string
  port?: number
}

export async function startFakeSttServer(opts: FakeSttOptions = {}): Promise<FakeSttServer> {
  let delayMs = opts.delayMs ?? 0
  let maxInFlight = 0
  let answered = 0
  let abandoned = 0
  let inFlight = 0
  const log: SttRequest[] = []
  const failures: { status: number; headers: Record<string, string> }[] = []
  let arrivals: ((r: SttRequest) => void)[] = []
  const counters: { n: number; resolve: () => void }[] = []
  const timers = new Set<NodeJS.Timeout>()

  const arrived = (r: SttRequest) => {
    const waiting = arrivals
    arrivals = []
    for (const fn of waiting) fn(r)
    for (const c of [...counters]) {
      if (log.length >= c.n) {
        counters.splice(counters.indexOf(c), 1)
        c.resolve()
      }
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(err) } })
      else res.destroy()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (req.method !== 'POST' || path !== '/v1/audio/transcriptions') {
      await readBody(req).catch(() => Buffer.alloc(0))
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } })
    }
    const body = await readBody(req)
    const parts = parseMultipart(body, req.headers['content-type'] ?? '')
    const field = (name: string) => parts.find((p) => p.name === name && p.filename === undefined)
    const file = parts.find((p) => p.name === 'file' && p.filename !== undefined)
    const request: SttRequest = {
      index: log.length + 1,
      receivedAt: Date.now(),
      model: field('model')?.body.toString('utf8'),
      responseFormat: field('response_format')?.body.toString('utf8'),
      language: field('language')?.body.toString('utf8'),
      file: file && {
        filename: file.filename ?? '',
        contentType: file.contentType ?? '',
        size: file.body.length,
      },
    }
    log.push(request)
    inFlight += 1
    maxInFlight = Math.max(maxInFlight, inFlight)
    let gone = false
    res.on('close', () => {
      if (!res.writableFinished) {
        gone = true
        abandoned += 1
      }
    })
    arrived(request)

    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => (timers.delete(t), resolve()), delayMs)
        timers.add(t)
        res.on('close', () => (clearTimeout(t), timers.delete(t), resolve()))
      })
    }
    inFlight -= 1
    if (gone) return

    if (opts.maxRequestBytes !== undefined && body.length > opts.maxRequestBytes) {
      // As api.openai.com answers (type server_error, even though the request is at fault).
      return sendJson(res, 413, {
        error: {
          message: `Maximum content size limit (${opts.maxRequestBytes}) exceeded (${body.length} bytes read)`,
          type: 'server_error',
          param: null,
          code: null,
        },
      })
    }
    const refused = file ? opts.refuse?.(file.body) : undefined
    const failure =
      failures.shift() ?? (refused !== undefined ? { status: refused, headers: {} } : undefined)
    if (failure !== undefined) {
      const { status, headers } = failure
      return sendJson(
        res,
        status,
        { error: { message: `fake failure ${status}`, type: 'server_error', code: null } },
        headers
      )
    }
    if (!request.file || request.file.size === 0 || !request.model) {
      return sendJson(res, 400, {
        error: { message: 'file and model are required', type: 'invalid_request_error' },
      })
    }
    if (request.responseFormat !== 'verbose_json') {
      return sendJson(res, 400, {
        error: { message: 'this fake answers verbose_json only', type: 'invalid_request_error' },
      })
    }
    answered += 1
    sendJson(res, 200, opts.answer && file ? opts.answer(file.body) : transcription)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    baseUrl: `http://${opts.host ?? '127.0.0.1'}:${port}/v1`,
    get delayMs() {
      return delayMs
    },
    set delayMs(ms: number) {
      delayMs = ms
    },
    get requests() {
      return log.length
    },
    get answered() {
      return answered
    },
    get abandoned() {
      return abandoned
    },
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
    log,
    failNext(n: number, status = 503, headers: Record<string, string> = {}) {
      for (let i = 0; i < n; i++) failures.push({ status, headers })
    },
    clearFailures() {
      failures.length = 0
    },
    onRequest() {
      return new Promise<SttRequest>((resolve) => arrivals.push(resolve))
    },
    whenRequests(n: number) {
      if (log.length >= n) return Promise.resolve()
      return new Promise<void>((resolve) => counters.push({ n, resolve }))
    },
    close() {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
