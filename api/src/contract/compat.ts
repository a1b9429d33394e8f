import { z } from 'zod'
import { RECORDING_STATUSES } from './names.ts'
import { SoapNoteSchema } from './soap-note.ts'

// POST /transcribe-and-summarize: the older synchronous contract (multipart `audio_file`).

/** 200: the note, with the transcript and the Markdown as text. */
export const CompatNoteSchema = z.strictObject({
  recording_id: z.uuid(),
  note_id: z.uuid(),
  status: z.literal('done'),
  transcript: z.string(),
  summary: z.string(),
  note: SoapNoteSchema,
})
export type CompatNote = z.infer<typeof CompatNoteSchema>

/** 202 while the note is still being written, 422 when the recording failed. */
export const CompatPendingSchema = z.strictObject({
  recording_id: z.uuid(),
  status: z.enum(RECORDING_STATUSES),
  reason: z.string(),
})
export type CompatPending = z.infer<typeof CompatPendingSchema>
