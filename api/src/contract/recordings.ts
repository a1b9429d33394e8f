import { z } from 'zod'
import { RECORDING_STATUSES, TEMPLATES } from './names.ts'
import { pageLimit, timestamp } from './fields.ts'

/** `Idempotency-Key` on POST /api/recordings: a retried upload answers the first one's 202. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/

export const RecordingUploadHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_KEY, 'must be 8-128 letters, digits or ._:-')
    .optional(),
})

/** The text fields of the multipart upload, beside its `audio` file. */
export const RecordingFieldsSchema = z.strictObject({
  /** A built-in template's name, or the id of a template the user may use (GET /api/templates). */
  template: z
    .union([z.enum(TEMPLATES), z.uuid()], {
      error: `must be ${TEMPLATES.join(', ')} or a template id`,
    })
    .default('soap'),
  /** A free-text instruction for the writer, on top of the template's (the model writer's). */
  instruction: z.string().trim().max(2000).optional(),
  language: z
    .string()
    .regex(/^([a-z]{2,3}(-[A-Za-z0-9]{2,8})?|auto)$/, 'must be a language tag such as en or en-GB')
    .default('en'),
  patient_ref: z
    .string()
    .max(128)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .optional(),
})
export type RecordingFields = z.infer<typeof RecordingFieldsSchema>

/** 202 to an upload (and to its replay under the same Idempotency-Key). */
export const RecordingAcceptedSchema = z.strictObject({
  id: z.uuid(),
  status: z.enum(RECORDING_STATUSES),
})
export type RecordingAccepted = z.infer<typeof RecordingAcceptedSchema>

export const RecordingSchema = z.strictObject({
  id: z.uuid(),
  status: z.enum(RECORDING_STATUSES),
  note_id: z.uuid().nullable(),
  /** Why it failed (`insufficient_content`, a provider's answer). */
  reason: z.string().nullable(),
  /** While it waits: on what (a provider error being retried, no provider configured). */
  detail: z.string().nullable(),
  created_at: timestamp(),
  template: z.string(),
  /** The template version the note is (or will be) written with. */
  template_id: z.uuid().nullable(),
  template_version: z.number().int().positive().nullable(),
  language: z.string(),
  patient_ref: z.string().nullable(),
  size_bytes: z.number().int().nonnegative(),
})
export type Recording = z.infer<typeof RecordingSchema>

export const RecordingListQuerySchema = z.object({ limit: pageLimit(50, 200) })

export const RecordingListSchema = z.strictObject({ items: z.array(RecordingSchema) })
export type RecordingList = z.infer<typeof RecordingListSchema>
