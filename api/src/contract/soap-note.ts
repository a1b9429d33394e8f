import { z } from 'zod'
import { SOAP_SCHEMA_VERSION, SPEAKER_ROLES } from './names.ts'
import { SECTION_KEY } from './templates.ts'

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
export type Section = z.infer<typeof SectionSchema>

/**
 * Keyed by the template's section keys: the four SOAP sections (subjective, objective,
 * assessment, plan) for the built-in templates and every note written before templates were
 * data; a clinician's template's own keys otherwise, in the order `layout` gives.
 */
export const SectionsSchema = z.record(z.string().regex(SECTION_KEY), SectionSchema)
export type Sections = Record<string, Section>

/** The sections' order and titles; absent on notes written before templates were data (SOAP). */
export const LayoutSchema = z.array(z.strictObject({ key: z.string(), title: z.string() }))
export type Layout = z.infer<typeof LayoutSchema>

/** Who each diarized speaker is: guessed (`heuristic`) or set by the clinician's tap. */
export const SpeakerSchema = z.strictObject({
  id: z.string(),
  role: z.enum(SPEAKER_ROLES),
  source: z.enum(['heuristic', 'clinician']),
})
export type Speaker = z.infer<typeof SpeakerSchema>

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
  /** The template version that wrote the note (absent on notes from before 004_templates). */
  template_version: z
    .strictObject({ id: z.uuid(), version: z.number().int().positive() })
    .optional(),
  layout: LayoutSchema.optional(),
  sections: SectionsSchema,
  transcript: z.strictObject({
    utterances: z.array(UtteranceSchema),
    /** Absent when the transcript has fewer than two speakers (nothing to tell apart). */
    speakers: z.array(SpeakerSchema).optional(),
  }),
  provenance: ProvenanceSchema,
  warnings: z.array(z.string()),
})
export type SoapNote = z.infer<typeof SoapNoteSchema>
