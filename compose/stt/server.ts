// The stack's offline speech engine behind OpenAI's `POST /v1/audio/transcriptions`, so the API's
// `openai` provider drives it and a hosted engine replaces it by changing STT_BASE_URL: Whisper
// base on faster-whisper (STT_ENGINE=whisper, the default) or PocketSphinx (low accuracy).
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SUPPORTED, sniffAudio } from './audio-format.ts'
import { selectEngine, toRecognizerWav } from './engine.ts'
import { SttError, errorBody } from './errors.ts'
import { BusyError, createLimiter } from './limiter.ts'
import { readUpload } from './multipart.ts'

const int = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`${name} must be a positive integer, got ${process.env[name]}`)
    process.exit(1)
  }
  return value
}
const PORT = int('PORT', 8000)
const MAX_BYTES = int('STT_MAX_UPLOAD_MB', 200) * 1024 * 1024
const MAX_WAITING = int('STT_MAX_WAITING', 16)
const limiter = createLimiter(int('STT_CONCURRENCY', 2), MAX_WAITING)
const FORMATS = ['json', 'text', 'verbose_json'] as const
const engine = (() => {
  try {
    return selectEngine(process.env)
  } catch (err) {
    console.error((err as Error).message)
    process.exit(1)
  }
})()
const { owned_by: ownedBy, ...ENGINE } = engine.info

const log = (msg: string, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), msg, ...extra }))

function send(res: ServerResponse, status: number, body: unknown, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json'
  res.writeHead(status, { 'content-type': type, ...headers }).end(text)
}

const one = (fields: Record<string, string[]>, name: string): string | undefined =>
  fields[name]?.at(-1)?.trim() || undefined

async function transcribe(req: IncomingMessage, res: ServerResponse) {
  // Refuse before reading the upload; the limiter refuses again if the queue filled meanwhile.
  if (limiter.waiting >= MAX_WAITING) throw new BusyError()
  const started = performance.now()
  const dir = await mkdtemp(join(tmpdir(), 'stt-'))
  try {
    const { file, fields } = await readUpload(req, join(dir, 'input'), MAX_BYTES)
    if (!file)
      throw new SttError(400, 'a multipart `file` field is required', 'missing_file', 'file')
    if (!one(fields, 'model'))
      throw new SttError(400, 'you must provide a model parameter', 'missing_model', 'model')
    const format = one(fields, 'response_format') ?? 'json'
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new SttError(
        400,
        `response_format must be one of ${FORMATS.join(', ')}`,
        'unsupported_response_format',
        'response_format'
      )
    }
    const language = one(fields, 'language')?.toLowerCase()
    if (language && !/^en([-_].*)?$/.test(language)) {
      throw new SttError(
        400,
        `this engine only recognises English, not '${language}'`,
        'unsupported_language',
        'language'
      )
    }
    if (file.bytes === 0) throw new SttError(400, 'the file is empty', 'empty_file', 'file')
    const sniffed = sniffAudio(file.head)
    if (!sniffed.ok) {
      throw new SttError(
        415,
        `unsupported audio format (${sniffed.format}); this engine reads ${SUPPORTED}`,
        'unsupported_format',
        'file'
      )
    }
    const granularities =
      fields['timestamp_granularities[]'] ?? fields['timestamp_granularities'] ?? []
    // A client that gives up (the API's provider timeout, a retry) must not leave its request
    // holding the engine: the queue would serve nobody while the next attempt waits behind it.
    const gone = new AbortController()
    res.on('close', () => {
      if (!res.writableEnded) gone.abort()
    })
    const verbose = await limiter.run(async () => {
      if (gone.signal.aborted) throw new SttError(499, 'the client went away', 'client_closed')
      const wav = join(dir, 'input.wav')
      const { duration } = await toRecognizerWav(file.path, sniffed.type, wav)
      return engine.transcribe({
        wav,
        duration,
        withWords: granularities.includes('word'),
        signal: gone.signal,
      })
    })
    log('transcribed', {
      format: sniffed.type,
      bytes: file.bytes,
      audio_s: verbose.duration,
      took_s: Math.round(performance.now() - started) / 1000,
      segments: verbose.segments.length,
    })
    if (format === 'text') return send(res, 200, `${verbose.text}\n`)
    send(res, 200, format === 'verbose_json' ? verbose : { text: verbose.text })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? '/', 'http://stt').pathname.replace(/\/+$/, '')
  try {
    if (path === '/health' && req.method === 'GET') {
      return send(res, 200, {
        status: 'ok',
        ...ENGINE,
        active: limiter.active,
        waiting: limiter.waiting,
      })
    }
    if (path === '/v1/models' && req.method === 'GET') {
      return send(res, 200, {
        object: 'list',
        data: [{ id: ENGINE.model, object: 'model', owned_by: ownedBy }],
      })
    }
    if (path === '/v1/audio/transcriptions') {
      if (req.method !== 'POST') throw new SttError(405, 'use POST', 'method_not_allowed')
      return await transcribe(req, res)
    }
    throw new SttError(404, `no route ${req.method} ${path}`, 'not_found')
  } catch (err) {
    if (err instanceof BusyError) {
      const busy = new SttError(
        429,
        `${err.message}; retry shortly`,
        'rate_limit_exceeded',
        null,
        'requests'
      )
      return send(res, 429, errorBody(busy), { 'retry-after': '5' })
    }
    const e = err instanceof SttError ? err : new SttError(500, 'internal error', 'internal_error')
    if (!(err instanceof SttError)) log('unexpected error', { error: String(err) })
    if (!res.headersSent) send(res, e.status, errorBody(e))
  }
}

const server = createServer((req, res) => void handle(req, res))
// Long consultations over slow links: allow 15 minutes for the upload itself.
server.requestTimeout = 15 * 60_000
server.listen(PORT, () => log('listening', { port: PORT, ...ENGINE, max_upload_bytes: MAX_BYTES }))

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    log('shutting down', { signal })
    server.close(() => process.exit(0))
    setTimeout(() => process.exit(0), 10_000).unref()
  })
}
