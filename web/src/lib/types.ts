// The API's shapes, as the web app reads them (api/src/routes/*.ts, api/src/notes/soap.ts).

export const TEMPLATES = ['soap', 'soap-brief', 'follow-up'] as const
export type Template = (typeof TEMPLATES)[number]

export const SECTION_NAMES = ['subjective', 'objective', 'assessment', 'plan'] as const
export type SectionName = (typeof SECTION_NAMES)[number]

export type Evidence = { utterance_id: string; start: number; end: number }
export type NoteItem = { text: string; evidence: Evidence[] }
export type Sections = Record<SectionName, { items: NoteItem[] }>
export type Utterance = { id: string; speaker: string; start: number; end: number; text: string }

export type Note = {
  id: string
  recording_id: string
  version: number
  patient_ref: string | null
  created_at: string
  updated_at: string
  schema_version: string
  status: 'ok' | 'insufficient_content'
  language: string
  template: string
  sections: Sections
  transcript: { utterances: Utterance[] }
  provenance: {
    stt_provider: string
    stt_model: string
    writer: string
    writer_model: string
    prompt_version: string
    created_at: string
  }
  warnings: string[]
}

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

export type RecordingStatus = 'queued' | 'transcribing' | 'summarizing' | 'done' | 'failed'

export type ServerRecording = {
  id: string
  status: RecordingStatus
  note_id: string | null
  reason: string | null
  detail: string | null
  created_at: string
  template: string
  language: string
  patient_ref: string | null
  size_bytes: number
}

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
