// Errors in OpenAI's envelope, so an OpenAI SDK reads them as it reads OpenAI's own.

export type ErrorType = 'invalid_request_error' | 'server_error' | 'requests'

export class SttError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly param: string | null = null,
    readonly type: ErrorType = status >= 500 ? 'server_error' : 'invalid_request_error'
  ) {
    super(message)
    this.name = 'SttError'
  }
}

export const errorBody = (e: SttError) => ({
  error: { message: e.message, type: e.type, param: e.param, code: e.code },
})
