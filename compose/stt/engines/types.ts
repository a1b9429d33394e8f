import type { VerboseTranscription } from '../transcript.ts'

/** What /health and /v1/models say about the engine. */
export type EngineInfo = {
  engine: string
  model: string
  owned_by: string
  accuracy: 'low' | 'moderate'
  note: string
}

export type EngineInput = {
  /** 16 kHz mono 16-bit PCM WAV in a folder of the request's own. */
  wav: string
  duration: number
  withWords: boolean
  /** Aborted when the client goes away: the engine process is killed, not left to finish. */
  signal?: AbortSignal
}

export type Engine = {
  info: EngineInfo
  transcribe(input: EngineInput): Promise<VerboseTranscription>
}
