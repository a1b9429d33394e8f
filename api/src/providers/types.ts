import type { Sections, Speaker, Utterance } from '../contract/soap-note.ts'
import type { NoteTemplate } from '../templates/builtin.ts'

// A transcript as every speech-to-text provider returns it, normalised.
export type Transcript = {
  utterances: Utterance[]
  language: string
  duration_s: number
  provider: string
  model: string
  /** Who each speaker is (api/src/notes/speaker-roles.ts); absent with fewer than two speakers. */
  speakers?: Speaker[]
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
  /** The template version the note is written with: its sections are the note's sections. */
  template: NoteTemplate
  language: string
  /** The clinician's extra instruction (upload `instruction`, older contract's `prompt_instruction`). */
  instruction?: string
}

/** `promptVersion` when it differs from the writer's own (a template's prompt, speaker roles). */
export type WriterOutput = {
  status: 'ok' | 'insufficient_content'
  sections: Sections
  warnings: string[]
  promptVersion?: string
}

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
