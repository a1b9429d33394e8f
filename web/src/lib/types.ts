// The API's shapes, as the web app reads them. Types come from the API itself (type-only
// imports: nothing of the API is bundled); values the app needs at run time are kept here.
import type { NoteItem } from '../../../api/src/notes/soap.ts'
import type { NoteResponse } from '../../../api/src/routes/notes.ts'
import type { RecordingResponse } from '../../../api/src/routes/recordings.ts'

export const TEMPLATES = ['soap', 'soap-brief', 'follow-up'] as const
export type Template = (typeof TEMPLATES)[number]

export const SECTION_NAMES = ['subjective', 'objective', 'assessment', 'plan'] as const
export type SectionName = (typeof SECTION_NAMES)[number]

export type { NoteItem, Sections, Utterance } from '../../../api/src/notes/soap.ts'
export type Evidence = NoteItem['evidence'][number]
/** A note as GET /api/notes/:id answers: the API's own type, so the two cannot drift apart. */
export type Note = NoteResponse

export type NoteSummary = {
  id: string
  recording_id: string
  version: number
  status: string
  template: string
  patient_ref: string | null
  created_at: string
  updated_at: string
}

export type RecordingStatus = ServerRecording['status']
export type ServerRecording = RecordingResponse

export type NoteVersionInfo = { version: number; edited_by: string | null; created_at: string }

export type LiveEvent = {
  type: string
  recording_id?: string
  note_id?: string | null
  status?: RecordingStatus
  reason?: string | null
}

/** The stack's offline engine (sox + pocketsphinx) transcribes poorly: say so on the note. */
export function isOfflineEngineNote(note: Pick<Note, 'warnings' | 'provenance'>): boolean {
  return (
    note.provenance.stt_model.startsWith('pocketsphinx') ||
    note.warnings.some((w) => /offline engine/i.test(w))
  )
}
