import { z } from 'zod'
import { LIVE_EVENT_TYPES, RECORDING_STATUSES } from './names.ts'
import { timestamp } from './fields.ts'

// GET /ws pushes one JSON object per message (and answers the text `ping` with `pong`).

/** The first message on every socket. */
export const HelloEventSchema = z.strictObject({ type: z.literal('hello'), at: timestamp() })

/** A recording changed state; only its owner's sockets receive it. */
export const RecordingEventSchema = z.strictObject({
  type: z.enum(LIVE_EVENT_TYPES),
  user_id: z.string(),
  recording_id: z.uuid(),
  status: z.enum(RECORDING_STATUSES),
  note_id: z.uuid().nullable().optional(),
  reason: z.string().nullable().optional(),
  at: timestamp(),
})
export type RecordingEvent = z.infer<typeof RecordingEventSchema>

export const LiveEventSchema = z.discriminatedUnion('type', [
  HelloEventSchema,
  RecordingEventSchema,
])
export type LiveEvent = z.infer<typeof LiveEventSchema>
