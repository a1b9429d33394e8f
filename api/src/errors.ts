import { HTTPException } from 'hono/http-exception'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from './lib/logger.ts'
import type { ErrorCode, ErrorEnvelope } from './contract/errors.ts'

// The codes and the envelope are part of the HTTP contract (contract/errors.ts).

export function codeToStatus(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'BAD_REQUEST':
      return 400
    case 'UNAUTHORIZED':
      return 401
    case 'FORBIDDEN':
      return 403
    case 'NOT_FOUND':
      return 404
    case 'CONFLICT':
      return 409
    case 'PAYLOAD_TOO_LARGE':
      return 413
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415
    case 'RATE_LIMITED':
      return 429
    case 'UNAVAILABLE':
      return 503
    case 'INSUFFICIENT_STORAGE':
      return 507
    case 'INTERNAL':
      return 500
  }
}

export class ApiError extends HTTPException {
  readonly code: ErrorCode
  constructor({ code, message }: { code: ErrorCode; message: string }) {
    super(codeToStatus(code), { message })
    this.code = code
  }
}

export function errorBody(code: ErrorCode, message: string, requestId?: string): ErrorEnvelope {
  return { error: { code, message, ...(requestId ? { request_id: requestId } : {}) } }
}

export function createErrorHandler(logger: Logger) {
  return function handleError(err: Error, c: Context) {
    const requestId = c.get('requestId') as string | undefined
    if (err instanceof ApiError) {
      return c.json(errorBody(err.code, err.message, requestId), err.status)
    }
    if (err instanceof HTTPException) {
      const code: ErrorCode =
        err.status === 401
          ? 'UNAUTHORIZED'
          : err.status === 413
            ? 'PAYLOAD_TOO_LARGE'
            : err.status === 404
              ? 'NOT_FOUND'
              : 'BAD_REQUEST'
      return c.json(errorBody(code, err.message || 'bad request', requestId), err.status)
    }
    logger.error('unhandled error', { request_id: requestId, error: String(err), stack: err.stack })
    return c.json(errorBody('INTERNAL', 'internal error', requestId), 500)
  }
}
