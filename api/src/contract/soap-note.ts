import { z } from 'zod'
import { SOAP_SCHEMA_VERSION } from './names.ts'

// soap.v1: the note every writer produces and every client reads (DESIGN §3). Strict objects:
// a note carries exactly these fields, so nothing unexpected reaches a client or a file.

export const UtteranceSchema = z.strictObject({
  id: z.string(),
  speaker: z.string(),
  start: z.number(),
  end: z.number(),
  text: z.string(),
})
export type Utterance = z.infer<typeof UtteranceSchema>

/** Where an item comes from: the utterance and its time span in the audio. */
export const EvidenceSchema = z.strictObject({
  utterance_id: z.string(),
  start: z.number(),
  end: z.number(),
})
export type Evidence = z.infer<typeof EvidenceSchema>

export const ItemSchema = z.strictObject({
  text: z.string().min(1),
  evidence: z.array(EvidenceSchema),
})
export type NoteItem = z.infer<typeof ItemSchema>

export const SectionSchema = z.strictObject({ items: z.array(ItemSchema) })

export const SectionsSchema = z.strictObject({
  subjective: SectionSchema,
  objective: SectionSchema,
  assessment: SectionSchema,
  plan: SectionSchema,
})
export type Sections = z.infer<typeof SectionsSchema>

export const ProvenanceSchema = z.strictObject({
  stt_provider: z.string(),
  stt_model: z.string(),
  writer: z.string(),
  writer_model: z.string(),
  prompt_version: z.string(),
  created_at: z.string(),
})
export type Provenance = z.infer<typeof ProvenanceSchema>

export const SoapNoteSchema = z.strictObject({
  schema_version: z.literal(SOAP_SCHEMA_VERSION),
  status: z.enum(['ok', 'insufficient_content']),
  language: z.string(),
  template: z.string(),
  sections: SectionsSchema,
  transcript: z.strictObject({ utterances: z.array(UtteranceSchema) }),
  provenance: ProvenanceSchema,
  warnings: z.array(z.string()),
})
export type SoapNote = z.infer<typeof SoapNoteSchema>
