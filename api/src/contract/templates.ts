import { z } from 'zod'
import { timestamp } from './fields.ts'

// Note templates are data (migration 004_templates): sections in order, each with an instruction
// for the writer, and one free-text instruction for the whole note. Every edit is a new version;
// a note names the version that wrote it, so an old note never changes with its template.

/** A section's key: its property in the note's `sections` and in the model's JSON answer. */
export const SECTION_KEY = /^[a-z][a-z0-9_]{0,39}$/

export const TemplateSectionSchema = z.strictObject({
  key: z.string().regex(SECTION_KEY, 'must be lower-case letters, digits or _ (at most 40)'),
  title: z.string().trim().min(1).max(80),
  /** What belongs here, for the writer ("medications with dose, route and frequency"). */
  instruction: z.string().trim().max(500).default(''),
  /** At most this many items (the brief template keeps three); null: no limit. */
  max_items: z.number().int().min(1).max(50).nullable().default(null),
})
export type TemplateSection = z.output<typeof TemplateSectionSchema>

/**
 * `personal`: the signed-in clinician's own; `clinic`: everyone's, made by whoever may manage
 * clinic templates (api/src/templates/policy.ts); `builtin`: the seed rows, read-only.
 */
export const TEMPLATE_SCOPES = ['builtin', 'clinic', 'personal'] as const

const SectionsSchema = z
  .array(TemplateSectionSchema)
  .min(1)
  .max(20)
  .superRefine((sections, ctx) => {
    const seen = new Set<string>()
    for (const [i, s] of sections.entries()) {
      if (seen.has(s.key)) {
        ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `key "${s.key}" is repeated` })
      }
      seen.add(s.key)
    }
  })

/** POST /api/templates and PUT /api/templates/:id: sections in the order the note shows them. */
export const TemplateInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(80),
  scope: z.enum(['personal', 'clinic']).default('personal'),
  instruction: z.string().trim().max(2000).default(''),
  sections: SectionsSchema,
})
export type TemplateInput = z.input<typeof TemplateInputSchema>

export const TemplateSchema = z.strictObject({
  id: z.uuid(),
  /** The built-in templates' names (`soap`); null for the others. */
  slug: z.string().nullable(),
  name: z.string(),
  scope: z.enum(TEMPLATE_SCOPES),
  version: z.number().int().positive(),
  instruction: z.string(),
  sections: z.array(TemplateSectionSchema),
  /** Whether the signed-in user may make a new version of it. */
  editable: z.boolean(),
  created_at: timestamp(),
  updated_at: timestamp(),
})
export type NoteTemplateResponse = z.infer<typeof TemplateSchema>

export const TemplateListSchema = z.strictObject({ items: z.array(TemplateSchema) })
export type TemplateList = z.infer<typeof TemplateListSchema>
