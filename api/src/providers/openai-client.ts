import OpenAI from 'openai'

const DEFAULT_BASE_URL = 'https://api.openai.com/v1'
const DEFAULT_TIMEOUT_MS = 120_000

export type OpenAiClientOptions = {
  apiKey?: string
  baseUrl?: string
  timeoutMs?: number
  fetch?: typeof fetch
}

/** One way to build the SDK client for every OpenAI-compatible provider. */
export function createOpenAiClient(opts: OpenAiClientOptions): OpenAI {
  return new OpenAI({
    apiKey: opts.apiKey ?? 'unused',
    // Explicit values so OPENAI_* environment variables never leak in.
    baseURL: opts.baseUrl ?? DEFAULT_BASE_URL,
    organization: null,
    project: null,
    webhookSecret: null,
    // The durable job queue retries; SDK retries would multiply attempts and hide outages.
    maxRetries: 0,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  })
}
