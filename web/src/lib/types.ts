// The API's shapes, as the web app reads them: all from the API's contract (api/src/contract/),
// never from its routes. Types are type-only imports; the values come from the contract's
// names.ts, which imports nothing, so no zod and nothing else of the API is bundled.
import type { Note } from '../../../api/src/contract/notes.ts'

export { SECTION_NAMES, SPEAKER_ROLES, TEMPLATES } from '../../../api/src/contract/names.ts'
export type {
  RecordingStatus,
  SectionName,
  SpeakerRole,
  Template,
} from '../../../api/src/contract/names.ts'
export type {
  NoteTemplateResponse as NoteTemplate,
  TemplateInput,
} from '../../../api/src/contract/templates.ts'
export type {
  Evidence,
  NoteItem,
  Sections,
  Speaker,
  Utterance,
} from '../../../api/src/contract/soap-note.ts'
export type { Note, NoteSummary, NoteVersionInfo } from '../../../api/src/contract/notes.ts'
export type { LiveEvent } from '../../../api/src/contract/live.ts'
export type { Recording as ServerRecording } from '../../../api/src/contract/recordings.ts'
export type {
  AdminStatus,
  Me,
  StatusAlert,
  StatusMetric,
  StatusSeries,
  Tile,
} from '../../../api/src/contract/admin.ts'

/** The stack's offline engine (Whisper base, or PocketSphinx) misses words: say so on the note. */
export function isOfflineEngineNote(note: Pick<Note, 'warnings' | 'provenance'>): boolean {
  return (
    note.provenance.stt_model.startsWith('pocketsphinx') ||
    note.warnings.some((w) => /offline engine/i.test(w))
  )
}
