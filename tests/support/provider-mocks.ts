// msw handlers that stand in for Deepgram and OpenAI (or any OpenAI-compatible server) in
// tests: the SDKs make their real HTTP calls and msw answers with fixtures shaped like the
// real APIs, or with the failures a provider really produces.
//
// Usage: `const server = setupServer(...sdkProbeHandlers)`, `server.listen({ onUnhandledRequest: 'error' })` in
// beforeAll, then `server.use(deepgramListen().success())` in a test. Create the provider
// inside the test (after `listen`): the `openai` SDK captures `fetch` when it is constructed.
import { delay, http, HttpResponse, passthrough } from 'msw'
import type { HttpHandler } from 'msw'
import deepgramPrerecorded from '../fixtures/providers/deepgram-prerecorded.json' with { type: 'json' }
import openAiChatSoap from '../fixtures/providers/openai-chat-soap.json' with { type: 'json' }
import openAiTranscription from '../fixtures/providers/openai-transcription-verbose.json' with { type: 'json' }

export const DEEPGRAM_BASE_URL = 'https://api.deepgram.com'
export const OPENAI_BASE_URL = 'https://api.openai.com/v1'

/** Fresh copies, so a test can change a fixture without affecting the next one. */
export const fixtures = {
  deepgramPrerecorded: () => structuredClone(deepgramPrerecorded),
  openAiTranscription: () => structuredClone(openAiTranscription),
  openAiChatSoap: () => structuredClone(openAiChatSoap),
}

/** The soap answer inside the chat fixture, parsed. */
export function soapAnswerFixture(): {
  status: 'ok' | 'insufficient_content'
  sections: Record<
    'subjective' | 'objective' | 'assessment' | 'plan',
    { items: { text: string; utterance_ids: string[] }[] }
  >
  warnings: string[]
} {
  return JSON.parse(openAiChatSoap.choices[0]!.message.content)
}

/** A chat.completion like the fixture, with other message content, refusal or finish reason. */
export function chatCompletion(
  content: string | null,
  opts: { refusal?: string | null; finishReason?: string } = {}
) {
  const body = fixtures.openAiChatSoap()
  const choice = body.choices[0]!
  const message = choice.message as { content: string | null; refusal: string | null }
  message.content = content
  message.refusal = opts.refusal ?? null
  if (opts.finishReason) choice.finish_reason = opts.finishReason
  return body
}

// ---------------------------------------------------------------------------------------
// What the SDK sent

export type CapturedRequest = {
  method: string
  url: URL
  headers: Headers
  /** Parsed JSON for JSON bodies, the fields for multipart bodies, else the raw bytes. */
  body: unknown
  /** Multipart only: each field as text, files as `{ name, type, size }`. */
  form?: Record<string, string | { name: string; type: string; size: number }>
  bytes: Uint8Array
  /** When the request reached the mock (Date.now()), before its body was read. */
  at: number
}

export type RequestRecorder = {
  readonly requests: CapturedRequest[]
  /** The last request, failing loudly when there was none. */
  last(): CapturedRequest
}

export function createRequestRecorder(): RequestRecorder {
  const requests: CapturedRequest[] = []
  return {
    requests,
    last() {
      const r = requests.at(-1)
      if (!r) throw new Error('no request was captured')
      return r
    },
  }
}

async function capture(request: Request, recorder: RequestRecorder | undefined) {
  if (!recorder) return
  const at = Date.now()
  const type = request.headers.get('content-type') ?? ''
  const bytes = new Uint8Array(await request.clone().arrayBuffer())
  let body: unknown = bytes
  let form: CapturedRequest['form']
  if (type.includes('application/json')) {
    body = JSON.parse(new TextDecoder().decode(bytes))
  } else if (type.includes('multipart/form-data')) {
    const data = await request.clone().formData()
    form = {}
    for (const [key, value] of data.entries()) {
      form[key] =
        typeof value === 'string' ? value : { name: value.name, type: value.type, size: value.size }
    }
    body = form
  }
  recorder.requests.push({
    method: request.method,
    url: new URL(request.url),
    headers: request.headers,
    body,
    bytes,
    at,
    ...(form ? { form } : {}),
  })
}

/** The Deepgram query parameters we care about, in a shape easy to compare. */
export function deepgramParams(request: CapturedRequest) {
  const q = request.url.searchParams
  return {
    model: q.get('model'),
    diarize: q.get('diarize'),
    utterances: q.get('utterances'),
    smart_format: q.get('smart_format'),
    punctuate: q.get('punctuate'),
    language: q.get('language'),
    detect_language: q.get('detect_language'),
    keyterm: q.getAll('keyterm'),
    authorization: request.headers.get('authorization'),
    contentType: request.headers.get('content-type'),
  }
}

/** The parts of a chat completions request a test usually checks. */
export function chatRequestSummary(request: CapturedRequest) {
  const body = request.body as {
    model: string
    temperature?: number
    messages: { role: string; content: string }[]
    response_format?: {
      type: string
      json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> }
    }
  }
  return {
    model: body.model,
    temperature: body.temperature,
    responseFormatType: body.response_format?.type,
    schemaName: body.response_format?.json_schema?.name,
    strict: body.response_format?.json_schema?.strict,
    schema: body.response_format?.json_schema?.schema,
    system: body.messages.find((m) => m.role === 'system')?.content ?? '',
    user: body.messages.find((m) => m.role === 'user')?.content ?? '',
  }
}

// ---------------------------------------------------------------------------------------
// Handlers

/**
 * The `openai` SDK probes `fetch('data:,')` once per fetch function before its first multipart
 * upload. Give these to `setupServer` so the probe is not reported as an unhandled request.
 */
export const sdkProbeHandlers: HttpHandler[] = [
  http.get(
    ({ request }) => request.url.startsWith('data:'),
    () => passthrough()
  ),
]

type JsonBody = Record<string, unknown> | unknown[] | string | number | boolean | null

type ErrorBodies = {
  unauthorized: JsonBody
  rateLimited: JsonBody
  serverError: JsonBody
  badRequest: JsonBody
  wrongShape: JsonBody
}

export type EndpointMockOptions = {
  /** Base URL as the provider is configured with it; default the vendor's cloud. */
  baseUrl?: string
  recorder?: RequestRecorder
}

export type EndpointMock = {
  /** 200 with the fixture (or `body`). */
  success(body?: JsonBody): HttpHandler
  /** 401 invalid credentials. */
  unauthorized(): HttpHandler
  /** 403 key without permission for this endpoint or model. */
  forbidden(): HttpHandler
  /** 429 with `retry-after` (delay seconds or an HTTP date). */
  rateLimited(retryAfter?: string): HttpHandler
  /** 500 (or another 5xx). */
  serverError(status?: number): HttpHandler
  /** 400: the provider cannot use what we sent (unreadable audio, bad request). */
  badRequest(): HttpHandler
  /** Answers 200 with the fixture, but only after `ms` (default 2 s): for timeouts. */
  slow(ms?: number): HttpHandler
  /** 200 with a JSON body of the wrong shape, or (`'html'`) an HTML page. */
  malformed(kind?: 'shape' | 'html'): HttpHandler
  /** The connection fails without an HTTP answer. */
  networkError(): HttpHandler
}

function endpointMock(
  url: string,
  ok: () => JsonBody,
  errors: ErrorBodies,
  recorder: RequestRecorder | undefined
): EndpointMock {
  const handle = (answer: () => Response | Promise<Response>) =>
    http.post(url, async ({ request }) => {
      await capture(request, recorder)
      return answer()
    })
  return {
    success: (body) => handle(() => HttpResponse.json(body ?? ok())),
    unauthorized: () => handle(() => HttpResponse.json(errors.unauthorized, { status: 401 })),
    forbidden: () => handle(() => HttpResponse.json(errors.unauthorized, { status: 403 })),
    rateLimited: (retryAfter = '7') =>
      handle(() =>
        HttpResponse.json(errors.rateLimited, {
          status: 429,
          headers: { 'retry-after': retryAfter },
        })
      ),
    serverError: (status = 500) => handle(() => HttpResponse.json(errors.serverError, { status })),
    badRequest: () => handle(() => HttpResponse.json(errors.badRequest, { status: 400 })),
    slow: (ms = 2000) =>
      handle(async () => {
        await delay(ms)
        return HttpResponse.json(ok())
      }),
    malformed: (kind = 'shape') =>
      handle(() =>
        kind === 'html'
          ? HttpResponse.html('<html><body><h1>Welcome to nginx!</h1></body></html>')
          : HttpResponse.json(errors.wrongShape)
      ),
    networkError: () => handle(() => HttpResponse.error()),
  }
}

const trimSlash = (s: string) => s.replace(/\/+$/, '')

/** `POST {base}/v1/listen`, as `listen.v1.media.transcribeFile` calls it. */
export function deepgramListen(opts: EndpointMockOptions = {}): EndpointMock {
  const requestId = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'
  return endpointMock(
    `${trimSlash(opts.baseUrl ?? DEEPGRAM_BASE_URL)}/v1/listen`,
    fixtures.deepgramPrerecorded,
    {
      unauthorized: {
        err_code: 'INVALID_AUTH',
        err_msg: 'Invalid credentials.',
        request_id: requestId,
      },
      rateLimited: {
        err_code: 'TOO_MANY_REQUESTS',
        err_msg: 'Too many requests. Please try again later',
        request_id: requestId,
      },
      serverError: {
        err_code: 'INTERNAL_SERVER_ERROR',
        err_msg: 'We encountered an error while processing your request.',
        request_id: requestId,
      },
      badRequest: {
        err_code: 'Bad Request',
        err_msg: 'Bad Request: failed to process audio: corrupt or unsupported data',
        request_id: requestId,
      },
      // A callback-style acknowledgement instead of a transcript.
      wrongShape: { request_id: requestId },
    },
    opts.recorder
  )
}

const openAiError = (message: string, type: string, code: string | null, param?: string) => ({
  error: { message, type, param: param ?? null, code },
})

const openAiErrors = (model: string): Omit<ErrorBodies, 'wrongShape' | 'badRequest'> => ({
  unauthorized: openAiError(
    'Incorrect API key provided: sk-test***********1234. You can find your API key at https://platform.openai.com/account/api-keys.',
    'invalid_request_error',
    'invalid_api_key'
  ),
  rateLimited: openAiError(
    `Rate limit reached for ${model} in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 7s.`,
    'requests',
    'rate_limit_exceeded'
  ),
  serverError: openAiError(
    'The server had an error while processing your request. Sorry about that!',
    'server_error',
    null
  ),
})

/** `POST {base}/audio/transcriptions` (base includes `/v1`, as the `openai` SDK expects). */
export function openAiTranscriptions(opts: EndpointMockOptions = {}): EndpointMock {
  return endpointMock(
    `${trimSlash(opts.baseUrl ?? OPENAI_BASE_URL)}/audio/transcriptions`,
    fixtures.openAiTranscription,
    {
      ...openAiErrors('whisper-1'),
      badRequest: openAiError(
        'Audio file might be corrupted or unsupported',
        'invalid_request_error',
        'invalid_value',
        'file'
      ),
      wrongShape: { transcript: 'no text field here', segments: 'none' },
    },
    opts.recorder
  )
}

/** `POST {base}/chat/completions` (base includes `/v1`). */
export function openAiChat(opts: EndpointMockOptions = {}): EndpointMock {
  return endpointMock(
    `${trimSlash(opts.baseUrl ?? OPENAI_BASE_URL)}/chat/completions`,
    fixtures.openAiChatSoap,
    {
      ...openAiErrors('gpt-4o-mini'),
      badRequest: openAiError(
        "Invalid schema for response_format 'soap_v1'.",
        'invalid_request_error',
        null,
        'response_format'
      ),
      // A completion whose content is not a soap answer.
      wrongShape: chatCompletion(JSON.stringify({ note: 'Patient has headaches.' })),
    },
    opts.recorder
  )
}
