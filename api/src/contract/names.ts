// The names the API and the PWA share at run time. No imports, so the PWA can take these values
// without bundling zod or anything else of the API.

/** The note's document format (DESIGN §3). */
export const SOAP_SCHEMA_VERSION = 'soap.v1'

export const SECTION_NAMES = ['subjective', 'objective', 'assessment', 'plan'] as const
export type SectionName = (typeof SECTION_NAMES)[number]

/** The built-in templates' names (seed rows of note_templates); `template` on upload takes
 * one of these or the id of a template from GET /api/templates. */
export const TEMPLATES = ['soap', 'soap-brief', 'follow-up'] as const
export type Template = (typeof TEMPLATES)[number]

/** Who a diarized speaker is, as the note labels them. */
export const SPEAKER_ROLES = ['clinician', 'patient', 'other'] as const
export type SpeakerRole = (typeof SPEAKER_ROLES)[number]

export const RECORDING_STATUSES = [
  'queued',
  'transcribing',
  'summarizing',
  'done',
  'failed',
] as const
export type RecordingStatus = (typeof RECORDING_STATUSES)[number]

/** What the socket pushes about a recording, in the order a recording goes through them. */
export const LIVE_EVENT_TYPES = [
  'recording.queued',
  'recording.transcribing',
  'recording.transcribed',
  'note.ready',
  'recording.failed',
] as const
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number]
