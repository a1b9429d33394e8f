import type OpenAI from 'openai'
import { createOpenAiClient } from '../openai-client.ts'
import type { NoteItem, Sections, Utterance } from '../../contract/soap-note.ts'
import { isSoapShaped } from '../../templates/builtin.ts'
import { emptySections } from '../../notes/sections.ts'
import { fromOpenAiError, malformedResponse } from '../errors.ts'
import { ProviderError } from '../types.ts'
import type { NoteWriter, Transcript, WriterInput, WriterOutput } from '../types.ts'
import {
  SOAP_PROMPT_VERSION,
  clinicianInstruction,
  promptVersionOf,
  sectionInstructionV1,
  speakersLine,
  systemPrompt,
  templateLine,
} from './prompt.ts'
import { estimateTokens, mergePartialNotes, transcriptWindows } from './sections.ts'
import { clockTime } from '../../lib/clock-time.ts'
import { answerJsonSchema, answerSchemaFor } from './answer.ts'
import type { Answer } from './answer.ts'

const PROVIDER = 'openai'
export const OPENAI_WRITER_DEFAULT_MODEL = 'gpt-4o-mini'
export const SOAP_JSON_SCHEMA_NAME = 'soap_v1'
/** A template with sections of its own: the schema is made from its section keys. */
export const TEMPLATE_JSON_SCHEMA_NAME = 'note_sections_v1'

export type OpenAiWriterOptions = {
  /** Optional: self-hosted servers (Ollama, vLLM, llama.cpp) usually need none. */
  apiKey?: string
  /** Any OpenAI-compatible server, with its `/v1` segment. Default: OpenAI's cloud. */
  baseUrl?: string
  /** Default `gpt-4o-mini`. */
  model?: string
  /** Per request. Default 120 s. */
  timeoutMs?: number
  /**
   * The longest transcript sent in one call, in estimated tokens (4 characters each); longer
   * ones are written in parts and merged. Default 16 000: an hour of continuous talk is about 15 000.
   */
  maxTranscriptTokens?: number
}

export const DEFAULT_MAX_TRANSCRIPT_TOKENS = 16_000

const seconds = (s: number) => s.toFixed(1)

/** `[u3 speaker_1 12.4-15.0] text`: one utterance as the model reads it. */
export const transcriptLine = (u: Utterance) =>
  `[${u.id} ${u.speaker} ${seconds(u.start)}-${seconds(u.end)}] ${u.text.replace(/\s+/g, ' ').trim()}`

/** One line per utterance. */
export function transcriptLines(utterances: Utterance[]): string {
  return utterances.map(transcriptLine).join('\n')
}

function userMessage(input: WriterInput, part?: string): string {
  const speakers = input.transcript.speakers ?? []
  return [
    templateLine(input.template),
    ...(input.instruction?.trim() ? [clinicianInstruction(input.instruction)] : []),
    `Write the note in this language: ${input.language}.`,
    ...(speakers.length > 0 ? [speakersLine(speakers)] : []),
    ...(part ? [part] : []),
    '',
    'Transcript (one utterance per line: [id speaker start-end in seconds] text):',
    transcriptLines(input.transcript.utterances),
  ].join('\n')
}

/** Turns the model's answer into the note's sections, with evidence taken from the transcript. */
export function toWriterOutput(
  answer: Answer,
  transcript: Transcript,
  keys: readonly string[]
): WriterOutput {
  const byId = new Map(transcript.utterances.map((u) => [u.id, u]))
  const warnings = answer.warnings.map((w) => w.trim()).filter(Boolean)
  const unknown = new Set<string>()
  let emptyItems = 0
  const sections = {} as Sections
  for (const name of keys) {
    const items: NoteItem[] = []
    for (const item of answer.sections[name]?.items ?? []) {
      const text = item.text.trim()
      if (!text) {
        emptyItems++
        continue
      }
      const evidence: NoteItem['evidence'] = []
      for (const id of new Set(item.utterance_ids.map((i) => i.trim()))) {
        const u = byId.get(id)
        if (u) evidence.push({ utterance_id: u.id, start: u.start, end: u.end })
        else unknown.add(id)
      }
      items.push({ text, evidence })
    }
    sections[name] = { items }
  }
  if (unknown.size > 0) {
    warnings.push(`the writer cited utterances that do not exist: ${[...unknown].join(', ')}`)
  }
  if (emptyItems > 0) warnings.push(`the writer returned ${emptyItems} empty item(s); dropped`)
  return { status: answer.status, sections, warnings }
}

function parseAnswer(content: string, keys: readonly string[]): Answer {
  let json: unknown
  try {
    json = JSON.parse(content)
  } catch (err) {
    throw malformedResponse(PROVIDER, 'the note is not valid JSON', err)
  }
  const parsed = answerSchemaFor(keys).safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue
      ? `${issue.path.join('.') || '(note)'}: ${issue.message}`
      : 'unexpected shape'
    throw malformedResponse(PROVIDER, `the note does not match the schema (${where})`)
  }
  return parsed.data
}

const speakersKnown = (input: WriterInput) => (input.transcript.speakers ?? []).length > 0

/** Reasoning models accept only the default temperature. */
const fixedTemperature = (model: string) => /^(o\d|gpt-5)/.test(model)

/** SOAP note writer over chat completions with structured output (DESIGN §Providers). */
export function createOpenAiWriter(opts: OpenAiWriterOptions = {}): NoteWriter {
  const model = opts.model ?? OPENAI_WRITER_DEFAULT_MODEL
  const client = createOpenAiClient(opts)
  const maxTokens = opts.maxTranscriptTokens ?? DEFAULT_MAX_TRANSCRIPT_TOKENS

  /** One structured-output call over `input`'s transcript (the whole one, or one part). */
  async function writeOnce(
    input: WriterInput,
    signal: AbortSignal | undefined,
    part?: string
  ): Promise<WriterOutput> {
    const keys = input.template.sections.map((s) => s.key)
    let completion: OpenAI.Chat.Completions.ChatCompletion
    try {
      completion = await client.chat.completions.create(
        {
          model,
          ...(fixedTemperature(model) ? {} : { temperature: 0 }),
          messages: [
            { role: 'system', content: systemPrompt(input.template) },
            { role: 'user', content: userMessage(input, part) },
          ],
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: isSoapShaped(input.template.sections)
                ? SOAP_JSON_SCHEMA_NAME
                : TEMPLATE_JSON_SCHEMA_NAME,
              strict: true,
              schema: answerJsonSchema(keys),
            },
          },
        },
        signal ? { signal } : {}
      )
    } catch (err) {
      throw fromOpenAiError(PROVIDER, err, signal)
    }
    const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined
    const message = choice?.message
    if (!message) throw malformedResponse(PROVIDER, 'no choices in the completion')
    if (message.refusal) {
      throw new ProviderError(
        PROVIDER,
        'permanent',
        `${PROVIDER} refused to write the note: ${message.refusal}`
      )
    }
    if (choice.finish_reason === 'length') {
      throw malformedResponse(PROVIDER, 'the note was cut off (finish_reason length)')
    }
    if (choice.finish_reason === 'content_filter') {
      throw new ProviderError(PROVIDER, 'permanent', `${PROVIDER} content filter stopped the note`)
    }
    if (typeof message.content !== 'string' || message.content.trim() === '') {
      throw malformedResponse(PROVIDER, 'the completion has no content')
    }
    const output = toWriterOutput(parseAnswer(message.content, keys), input.transcript, keys)
    return { ...output, promptVersion: promptVersionOf(input.template, speakersKnown(input)) }
  }

  /** Parts of consecutive utterances, written one after the other, then merged. */
  async function writeInParts(
    input: WriterInput,
    windows: Utterance[][],
    tokens: number,
    signal: AbortSignal | undefined
  ): Promise<WriterOutput> {
    const outputs: WriterOutput[] = []
    for (const [i, utterances] of windows.entries()) {
      const from = clockTime(utterances[0]!.start)
      const to = clockTime(utterances.at(-1)!.end)
      const partInput = { ...input, transcript: { ...input.transcript, utterances } }
      const part = sectionInstructionV1(i + 1, windows.length, from, to)
      outputs.push(await writeOnce(partInput, signal, part))
    }
    const merged = mergePartialNotes(
      outputs,
      input.template.sections.map((s) => s.key)
    )
    merged.promptVersion = outputs[0]?.promptVersion
    merged.warnings.unshift(
      `the transcript (about ${tokens} tokens) is longer than the writer's budget of ${maxTokens} (WRITER_MAX_TRANSCRIPT_TOKENS): it was written in ${windows.length} parts of consecutive utterances and merged, so an item may repeat or miss context from another part`
    )
    return merged
  }

  return {
    name: PROVIDER,
    model,
    promptVersion: SOAP_PROMPT_VERSION,
    async write(input: WriterInput, signal?: AbortSignal): Promise<WriterOutput> {
      if (input.transcript.utterances.length === 0) {
        // Nothing to summarise: no call, no cost, same answer the model would give.
        return {
          status: 'insufficient_content',
          sections: emptySections(input.template.sections.map((s) => s.key)),
          warnings: ['the transcript is empty'],
        }
      }
      const tokens = estimateTokens(transcriptLines(input.transcript.utterances))
      if (tokens <= maxTokens) return writeOnce(input, signal)
      const windows = transcriptWindows(input.transcript.utterances, maxTokens, transcriptLine)
      return writeInParts(input, windows, tokens, signal)
    },
  }
}
