import { z } from 'zod'
import { EvidenceSchema, SoapNoteSchema } from './soap-note.ts'
import { pageLimit, timestamp } from './fields.ts'
import { SPEAKER_ROLES } from './names.ts'
import { SECTION_KEY } from './templates.ts'

/** GET /api/notes/:id and /versions/:n as JSON: the soap.v1 document with its place in the list. */
export const NoteSchema = SoapNoteSchema.extend({
  id: z.uuid(),
  recording_id: z.uuid(),
  version: z.number().int().positive(),
  patient_ref: z.string().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
})
export type Note = z.infer<typeof NoteSchema>

/** One row of GET /api/notes: what a list shows, without the document. */
export const NoteSummarySchema = z.strictObject({
  id: z.uuid(),
  recording_id: z.uuid(),
  version: z.number().int().positive(),
  status: z.string(),
  template: z.string(),
  patient_ref: z.string().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
})
export type NoteSummary = z.infer<typeof NoteSummarySchema>

/** Newest first; `cursor` is the previous page's `next_cursor` (opaque). */
export const NoteListQuerySchema = z.object({
  limit: pageLimit(20, 100),
  cursor: z.string().optional(),
})

export const NoteListSchema = z.strictObject({
  items: z.array(NoteSummarySchema),
  next_cursor: z.string().nullable(),
})
export type NoteList = z.infer<typeof NoteListSchema>

export const NoteVersionInfoSchema = z.strictObject({
  version: z.number().int().positive(),
  edited_by: z.string().nullable(),
  created_at: timestamp(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
})
export type NoteVersionInfo = z.infer<typeof NoteVersionInfoSchema>

export const NoteVersionListSchema = z.strictObject({ items: z.array(NoteVersionInfoSchema) })
export type NoteVersionList = z.infer<typeof NoteVersionListSchema>

// The edit takes evidence as the note gives it; unknown keys in it are dropped, not refused.
const EditItemSchema = z.strictObject({
  text: z.string().trim().min(1).max(4000),
  evidence: z.array(z.object(EvidenceSchema.shape)).max(50).default([]),
})
const EditSectionSchema = z.strictObject({ items: z.array(EditItemSchema).max(200) })

/**
 * PATCH /api/notes/:id: the whole set of sections (the note's own keys, each of them), against
 * the version it was made from.
 */
export const NoteEditSchema = z.strictObject({
  base_version: z.number().int().positive(),
  sections: z.record(z.string().regex(SECTION_KEY), EditSectionSchema),
})

/** PUT /api/notes/:id/speakers: the clinician's tap, as a new version of the note. */
export const SpeakerRolesEditSchema = z.strictObject({
  base_version: z.number().int().positive(),
  roles: z.record(z.string().min(1).max(64), z.enum(SPEAKER_ROLES)),
})
export type NoteEdit = z.input<typeof NoteEditSchema>
