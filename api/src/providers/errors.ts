import type { z } from 'zod'
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai'
import { ProviderError } from './types.ts'

// One place decides which provider failures are worth waiting for (transient) and which
// will fail again on every attempt (permanent). See ProviderError in types.ts.

type HeaderSource = Headers | Record<string, string | null | undefined> | null | undefined

const MAX_DETAIL_CHARS = 300

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && typeof value === 'string') return value
  }
  return undefined
}

/**
 * Parses a `Retry-After` value: delay seconds (`"7"`, `"1.5"`) or an HTTP date. Returns the
 * wait in milliseconds (never negative), or undefined when the value is absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number
): number | undefined {
  if (value == null) return undefined
  const trimmed = value.trim()
  if (trimmed === '') return undefined
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - nowMs)
}

/** The wait a response asks for: OpenAI's `retry-after-ms` first, then `retry-after`. */
export function retryAfterFromHeaders(headers: HeaderSource, nowMs: number): number | undefined {
  const ms = header(headers, 'retry-after-ms')
  if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms.trim()))
  return parseRetryAfter(header(headers, 'retry-after'), nowMs)
}

/** Shortens a provider's error text so it can go into logs and job records. */
export function errorDetail(body: unknown): string | undefined {
  let text: string | undefined
  if (typeof body === 'string') text = body
  else if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>
    const nested = b.error && typeof b.error === 'object' ? (b.error as Record<string, unknown>) : b
    const candidate = nested.message ?? b.err_msg ?? b.message ?? b.error ?? b.detail
    text = typeof candidate === 'string' ? candidate : JSON.stringify(body)
  }
  if (!text) return undefined
  const oneLine = text.replace(/\s+/g, ' ').trim()
  if (!oneLine) return undefined
  return oneLine.length > MAX_DETAIL_CHARS ? `${oneLine.slice(0, MAX_DETAIL_CHARS)}…` : oneLine
}

/**
 * Maps a non-2xx HTTP answer to a ProviderError.
 *
 * - 401/403: transient. Credentials are an operator's to fix; the recording waits.
 * - 404: transient. A wrong base URL or model name is configuration, not the recording's fault.
 * - 408, 409, 425, 429 and 5xx: transient, with `retryAfterMs` from the headers when given.
 * - any other 4xx (400 unreadable audio, 413, 415, 422...): permanent.
 */
export function fromHttpStatus(
  provider: string,
  status: number,
  headers: HeaderSource,
  message?: string,
  options: { nowMs?: number; cause?: unknown } = {}
): ProviderError {
  const retryAfterMs = retryAfterFromHeaders(headers, options.nowMs ?? Date.now())
  const cause = options.cause === undefined ? undefined : { cause: options.cause }
  if (status === 401 || status === 403) {
    return new ProviderError(
      provider,
      'transient',
      `${provider} rejected the API key (${status})`,
      retryAfterMs,
      cause
    )
  }
  const text = `${provider} returned HTTP ${status}${message ? `: ${message}` : ''}`
  const transient =
    status === 404 ||
    status === 408 ||
    status === 409 ||
    status === 425 ||
    status === 429 ||
    status >= 500 ||
    status < 400
  return new ProviderError(
    provider,
    transient ? 'transient' : 'permanent',
    text,
    retryAfterMs,
    cause
  )
}

/** The provider could not be reached, or did not answer in time. Always transient. */
export function networkError(provider: string, what: string, cause?: unknown): ProviderError {
  return new ProviderError(provider, 'transient', `${provider} ${what}`, undefined, { cause })
}

/** The call was cancelled by our own AbortSignal (shutdown, lost lease). Transient. */
export function abortedError(provider: string, cause?: unknown): ProviderError {
  return new ProviderError(provider, 'transient', `${provider} request aborted`, undefined, {
    cause,
  })
}

/** A 200 answer we cannot use. Permanent: asking again gives the same answer. */
export function malformedResponse(
  provider: string,
  detail: string,
  cause?: unknown
): ProviderError {
  return new ProviderError(
    provider,
    'permanent',
    `${provider} returned a malformed response: ${detail}`,
    undefined,
    { cause }
  )
}

/**
 * Maps anything the `openai` SDK throws (shared by the OpenAI speech-to-text and writer
 * providers, and by every OpenAI-compatible server behind them).
 */
export function fromOpenAiError(
  provider: string,
  err: unknown,
  signal?: AbortSignal
): ProviderError {
  if (err instanceof ProviderError) return err
  if (err instanceof APIUserAbortError || signal?.aborted) return abortedError(provider, err)
  if (err instanceof APIConnectionTimeoutError) return networkError(provider, 'timed out', err)
  if (err instanceof APIConnectionError) {
    return networkError(provider, `unreachable: ${err.message}`, err)
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const detail = errorDetail(err.error) ?? err.message.replace(/^\d{3}\s*/, '')
    return fromHttpStatus(provider, err.status, err.headers, detail, { cause: err })
  }
  if (err instanceof SyntaxError) return malformedResponse(provider, 'body is not JSON', err)
  const message = err instanceof Error ? err.message : String(err)
  return new ProviderError(
    provider,
    'permanent',
    `${provider} call failed: ${message}`,
    undefined,
    {
      cause: err,
    }
  )
}

/** Validates a provider's answer; anything else is a permanent, named "malformed response". */
export function parseProviderBody<S extends z.ZodType>(
  provider: string,
  schema: S,
  value: unknown
): z.infer<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const where = issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'unexpected shape'
  throw malformedResponse(provider, where)
}
