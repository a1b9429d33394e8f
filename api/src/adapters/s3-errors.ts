import { StoreUnavailableError } from '../files/file-store.ts'

/** What a client is told to wait when the store gave no Retry-After of its own. */
export const DEFAULT_RETRY_AFTER_SECONDS = 10

// Connection-level failures: the store is down, restarting, or the network to it is cut.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
])
// S3's own names for "try again later" (some servers send them with a 4xx status).
const BUSY_NAMES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'TimeoutError',
])

type SdkError = {
  name?: string
  code?: string
  message?: string
  cause?: unknown
  $metadata?: { httpStatusCode?: number }
  $response?: { headers?: Record<string, string | undefined> }
}

function retryAfter(e: SdkError): number {
  const raw = Number(e.$response?.headers?.['retry-after'])
  return Number.isFinite(raw) && raw > 0 ? Math.ceil(raw) : DEFAULT_RETRY_AFTER_SECONDS
}

/**
 * The reason a failed request says the store is unavailable (not the request is wrong): a
 * connection failure, a timeout, a 5xx or SlowDown after the SDK's own retries. Undefined for
 * anything else (404, 403, a checksum refusal), which keeps its own meaning.
 */
export function unavailableReason(err: unknown): string | undefined {
  const e = (err ?? {}) as SdkError
  const status = e.$metadata?.httpStatusCode
  if (e.name && BUSY_NAMES.has(e.name)) return `${e.name}${status ? ` (HTTP ${status})` : ''}`
  const code = e.code ?? (e.cause as SdkError | undefined)?.code
  if (code && NETWORK_CODES.has(code)) return `unreachable (${code})`
  if (status && status >= 500) return `HTTP ${status}${e.name ? ` ${e.name}` : ''}`
  return undefined
}

/** An SDK error as the store's callers see it: StoreUnavailableError when it is transient. */
export function toStoreError(err: unknown): unknown {
  if (err instanceof StoreUnavailableError) return err
  const reason = unavailableReason(err)
  return reason ? new StoreUnavailableError(reason, retryAfter(err as SdkError)) : err
}
