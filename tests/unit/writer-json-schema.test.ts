import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { AnswerSchema, SOAP_ANSWER_JSON_SCHEMA } from '../../api/src/providers/writer/answer.ts'
import { SECTION_NAMES } from '../../api/src/contract/names.ts'
import { openAiStrictViolations } from '../support/openai-strict-schema.ts'

const section = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['text', 'utterance_ids'],
        properties: {
          text: { type: 'string' },
          utterance_ids: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
}

describe('the note writer JSON Schema (structured outputs)', () => {
  it('should meet every rule of OpenAI strict mode', () => {
    expect(openAiStrictViolations(SOAP_ANSWER_JSON_SCHEMA)).toEqual([])
  })

  it('should be the soap_v1 schema the model has always been sent (a change is a new name)', () => {
    expect(SOAP_ANSWER_JSON_SCHEMA).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['status', 'sections', 'warnings'],
      properties: {
        status: { type: 'string', enum: ['ok', 'insufficient_content'] },
        sections: {
          type: 'object',
          additionalProperties: false,
          required: [...SECTION_NAMES],
          properties: Object.fromEntries(SECTION_NAMES.map((name) => [name, section])),
        },
        warnings: { type: 'array', items: { type: 'string' } },
      },
    })
  })

  it('should follow the zod schema it is made from when that changes', () => {
    const wider = AnswerSchema.extend({ summary: z.string() })
    const schema = z.toJSONSchema(wider) as { required: string[]; properties: object }
    expect(schema.required).toContain('summary')
    expect(Object.keys(schema.properties)).toContain('summary')
  })
})

describe('the OpenAI strict-mode check', () => {
  it.each([
    [
      'an optional property',
      z.object({ a: z.string(), b: z.string().optional() }),
      /\.b: not required/,
    ],
    ['a loose object', z.looseObject({ a: z.string() }), /additionalProperties is not false/],
    ['a root union', z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]), /root/],
    ['an unsupported keyword', z.object({ a: z.string().min(1) }), /unsupported keyword minLength/],
    [
      'nesting deeper than 10 levels',
      Array.from({ length: 11 }).reduce<z.ZodType>((s) => z.object({ a: s }), z.string()),
      /deeper than 10/,
    ],
  ])('should refuse %s', (_what, schema, problem) => {
    const violations = openAiStrictViolations(z.toJSONSchema(schema))
    expect(violations.join('\n')).toMatch(problem)
  })
})
