import { z } from 'zod'
import { SECTION_NAMES } from '../../contract/names.ts'

// What the note writer asks the model for, as one zod schema made from the template's section
// keys: it parses the model's answer, and the JSON Schema sent with the request (structured
// outputs) is generated from it, so the two cannot drift apart.

const AnswerSectionSchema = z.object({
  items: z.array(z.object({ text: z.string(), utterance_ids: z.array(z.string()) })),
})

export function answerSchemaFor(keys: readonly string[]) {
  return z.object({
    status: z.enum(['ok', 'insufficient_content']),
    sections: z.object(Object.fromEntries(keys.map((k) => [k, AnswerSectionSchema]))),
    warnings: z.array(z.string()),
  })
}
export type Answer = {
  status: 'ok' | 'insufficient_content'
  sections: Record<string, z.infer<typeof AnswerSectionSchema>>
  warnings: string[]
}

/** The SOAP answer (the built-in templates'). */
export const AnswerSchema = answerSchemaFor(SECTION_NAMES)

/**
 * The answer's JSON Schema for OpenAI's strict structured outputs: every property required, no
 * additional properties (zod writes both for an object it outputs), no `$schema` (some
 * OpenAI-compatible servers refuse keys they do not know). The sections are written out
 * rather than `$ref`ed (zod inlines a reused schema), which every OpenAI-compatible server's
 * grammar converter understands. tests/unit/writer-json-schema.test.ts holds it to OpenAI's rules.
 */
export function answerJsonSchema(keys: readonly string[]): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(answerSchemaFor(keys), {
    target: 'draft-2020-12',
    io: 'output',
    reused: 'inline',
  })
  return schema
}

export const SOAP_ANSWER_JSON_SCHEMA: Record<string, unknown> = answerJsonSchema(SECTION_NAMES)
