import { z } from 'zod'

// soap.v1: the note every writer produces and every client reads (DESIGN §3).
export const SOAP_SCHEMA_VERSION = 'soap.v1'
export const SECTION_NAMES = ['subjective', 'objective', 'assessment', 'plan'] as const
export type SectionName = (typeof SECTION_NAMES)[number]

export const UtteranceSchema = z.object({
  id: z.string(),
  speaker: z.string(),
  start: z.number(),
  end: z.number(),
  text: z.string(),
})
export type Utterance = z.infer<typeof UtteranceSchema>

export const EvidenceSchema = z.object({
  utterance_id: z.string(),
  start: z.number(),
  end: z.number(),
})

export const ItemSchema = z.object({
  text: z.string().min(1),
  evidence: z.array(EvidenceSchema),
})
export type NoteItem = z.infer<typeof ItemSchema>

export const SectionSchema = z.object({ items: z.array(ItemSchema) })

export const SectionsSchema = z.object({
  subjective: SectionSchema,
  objective: SectionSchema,
  assessment: SectionSchema,
  plan: SectionSchema,
})
export type Sections = z.infer<typeof SectionsSchema>

export const ProvenanceSchema = z.object({
  stt_provider: z.string(),
  stt_model: z.string(),
  writer: z.string(),
  writer_model: z.string(),
  prompt_version: z.string(),
  created_at: z.string(),
})
export type Provenance = z.infer<typeof ProvenanceSchema>

export const SoapNoteSchema = z.object({
  schema_version: z.literal(SOAP_SCHEMA_VERSION),
  status: z.enum(['ok', 'insufficient_content']),
  language: z.string(),
  template: z.string(),
  sections: SectionsSchema,
  transcript: z.object({ utterances: z.array(UtteranceSchema) }),
  provenance: ProvenanceSchema,
  warnings: z.array(z.string()),
})
export type SoapNote = z.infer<typeof SoapNoteSchema>

export const TEMPLATES = ['soap', 'soap-brief', 'follow-up'] as const
export type Template = (typeof TEMPLATES)[number]

export function emptySections(): Sections {
  return {
    subjective: { items: [] },
    objective: { items: [] },
    assessment: { items: [] },
    plan: { items: [] },
  }
}
