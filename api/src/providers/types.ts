import type { Template } from '../contract/names.ts'
import type { Sections, Utterance } from '../contract/soap-note.ts'

// A transcript as every speech-to-text provider returns it, normalised.
export type Transcript = {
  utterances: Utterance[]
  language: string
  duration_s: number
  provider: string
  model: string
}

export type AudioInput = {
  bytes: Uint8Array
  mediaType: string
  filename: string
  language: string
}

export interface SpeechToText {
  readonly name: string
  readonly model: string
  transcribe(audio: AudioInput, signal?: AbortSignal): Promise<Transcript>
}

export type WriterInput = {
  transcript: Transcript
  template: Template
  language: string
}

export type WriterOutput =
  | { status: 'ok'; sections: Sections; warnings: string[] }
  | { status: 'insufficient_content'; sections: Sections; warnings: string[] }

export interface NoteWriter {
  readonly name: string
  readonly model: string
  readonly promptVersion: string
  write(input: WriterInput, signal?: AbortSignal): Promise<WriterOutput>
}

/**
 * Why a provider call failed, so the job runner can decide: `transient` waits and retries
 * without limit (outages, rate limits, bad credentials an operator can fix), `permanent`
 * counts towards the attempt limit (a body the provider cannot read, a malformed answer).
 */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    readonly kind: 'transient' | 'permanent',
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'ProviderError'
  }
}
