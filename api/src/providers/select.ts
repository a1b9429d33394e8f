import type { Config } from '../config.ts'
import type { NoteWriter, SpeechToText } from './types.ts'
import { createDeepgramStt } from './stt/deepgram.ts'
import { createOpenAiStt } from './stt/openai.ts'
import { createOpenAiWriter } from './writer/openai.ts'
import { createExtractiveWriter } from './writer/extractive.ts'

/** Picks the providers the configuration names (DESIGN §3 defaults). */
export function selectProviders(config: Config): {
  stt: SpeechToText | undefined
  writer: NoteWriter
} {
  const timeoutMs = config.PROVIDER_TIMEOUT_MS
  let stt: SpeechToText | undefined
  if (config.STT_PROVIDER === 'deepgram' && config.DEEPGRAM_API_KEY) {
    stt = createDeepgramStt({
      apiKey: config.DEEPGRAM_API_KEY,
      model: config.DEEPGRAM_MODEL,
      keyterms: config.DEEPGRAM_KEYTERMS,
      baseUrl: config.DEEPGRAM_BASE_URL,
      timeoutMs,
    })
  } else if (config.STT_PROVIDER === 'openai') {
    stt = createOpenAiStt({
      baseUrl: config.STT_BASE_URL,
      apiKey: config.STT_API_KEY,
      model: config.STT_MODEL,
      timeoutMs,
      chunks: {
        maxBytes: Math.floor(config.STT_MAX_CHUNK_MB * 1024 * 1024),
        maxSeconds: config.STT_MAX_CHUNK_SECONDS,
        concurrency: config.STT_CHUNK_CONCURRENCY,
      },
    })
  }
  const writer =
    config.WRITER_PROVIDER === 'openai'
      ? createOpenAiWriter({
          apiKey: config.OPENAI_API_KEY,
          baseUrl: config.OPENAI_BASE_URL,
          model: config.OPENAI_MODEL,
          timeoutMs,
          maxTranscriptTokens: config.WRITER_MAX_TRANSCRIPT_TOKENS,
        })
      : createExtractiveWriter()
  return { stt, writer }
}
