// One recording uploaded the way the PWA does it: an Idempotency-Key kept across attempts, and
// retries (with backoff) on a dropped connection, a timeout, a 429 or a 5xx/507. Every answer
// that is not a 202 is checked to be a clean refusal: a JSON error envelope.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Target } from './target.ts'

export type Attempt = { at: number; ms: number; status?: number; code?: string; error?: string }

export type UploadRecord = {
  key: string
  sha256: string
  size: number
  origin: 'workload' | 'probe' | 'drill'
  attempts: Attempt[]
  /** Every recording id a 202 named for this key (more than one would be a duplicate). */
  ids: string[]
  outcome: 'pending' | 'acknowledged' | 'refused' | 'gave-up'
  acknowledgedAt?: number
  /** Answers that were not a 202 and not a JSON error envelope. */
  unclean: string[]
}

export type UploadOptions = {
  origin?: UploadRecord['origin']
  /** Streams the body in this many pieces with a pause between them (a slow phone). */
  slowPieces?: number
  slowPauseMs?: number
  /** Pads the recording to this many bytes (a long consultation); the provider hears the start. */
  padTo?: number
  maxAttempts?: number
  deadlineMs?: number
  /** Called once the first attempt's body has started to flow. */
  onStarted?: () => void
}

// 5xx includes 507 (the audio volume full): the PWA's queue retries it too.
const RETRYABLE = (status: number) => status === 408 || status === 429 || status >= 500

/** A distinct recording each time: the consultation plus random trailing bytes (a new SHA-256). */
export function uniqueAudio(base: Uint8Array, padTo = 0): Uint8Array {
  const out = new Uint8Array(Math.max(base.byteLength + 32, padTo))
  out.set(base)
  out.set(randomBytes(32), out.byteLength - 32)
  return out
}

function multipart(audio: Uint8Array) {
  const boundary = `chaos${randomUUID().replaceAll('-', '')}`
  const head = new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="consultation.wav"\r\nContent-Type: audio/wav\r\n\r\n`
  )
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`)
  const body = new Uint8Array(head.byteLength + audio.byteLength + tail.byteLength)
  body.set(head)
  body.set(audio, head.byteLength)
  body.set(tail, head.byteLength + audio.byteLength)
  return { body, type: `multipart/form-data; boundary=${boundary}` }
}

function slowStream(body: Uint8Array, pieces: number, pauseMs: number, onStarted?: () => void) {
  const size = Math.ceil(body.byteLength / pieces)
  let offset = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset > 0) await new Promise((r) => setTimeout(r, pauseMs))
      else onStarted?.()
      if (offset >= body.byteLength) return controller.close()
      controller.enqueue(body.slice(offset, offset + size))
      offset += size
    },
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function uploadWithRetries(
  target: Target,
  token: string,
  audio: Uint8Array,
  record: UploadRecord,
  opts: UploadOptions = {}
): Promise<UploadRecord> {
  const { body, type } = multipart(audio)
  const maxAttempts = opts.maxAttempts ?? 12
  const end = Date.now() + (opts.deadlineMs ?? 60_000)
  for (let n = 0; n < maxAttempts && Date.now() < end; n++) {
    const at = Date.now()
    const attempt: Attempt = { at, ms: 0 }
    record.attempts.push(attempt)
    try {
      const slow = n === 0 && opts.slowPieces
      const res = await target.request('/api/recordings', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'idempotency-key': record.key,
          'content-type': type,
          'content-length': String(body.byteLength),
        },
        body: slow
          ? slowStream(body, opts.slowPieces!, opts.slowPauseMs ?? 300, opts.onStarted)
          : body,
        duplex: 'half',
        signal: AbortSignal.timeout(20_000),
      })
      if (!slow) opts.onStarted?.()
      const text = await res.text()
      attempt.ms = Date.now() - at
      attempt.status = res.status
      if (res.status === 202) {
        const { id } = JSON.parse(text) as { id: string }
        if (!record.ids.includes(id)) record.ids.push(id)
        record.outcome = 'acknowledged'
        record.acknowledgedAt ??= Date.now()
        return record
      }
      try {
        attempt.code = (JSON.parse(text) as { error: { code: string } }).error.code
        if (typeof attempt.code !== 'string') throw new Error('no code')
      } catch {
        record.unclean.push(`${res.status} ${text.slice(0, 120)}`)
      }
      // A 500 is a bug answering, even in the JSON envelope: not a clean refusal.
      if (res.status === 500) record.unclean.push(`500 ${text.slice(0, 120)}`)
      if (!RETRYABLE(res.status)) {
        record.outcome = 'refused'
        return record
      }
    } catch (err) {
      attempt.ms = Date.now() - at
      attempt.error = String((err as Error).cause ?? err).slice(0, 160)
    }
    await sleep(Math.min(500 * 2 ** n, 4_000))
  }
  record.outcome = record.outcome === 'pending' ? 'gave-up' : record.outcome
  return record
}

export function newRecord(audio: Uint8Array, origin: UploadRecord['origin']): UploadRecord {
  return {
    key: `chaos-${randomUUID()}`,
    sha256: createHash('sha256').update(audio).digest('hex'),
    size: audio.byteLength,
    origin,
    attempts: [],
    ids: [],
    outcome: 'pending',
    unclean: [],
  }
}
