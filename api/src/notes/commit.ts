// The one way a note version comes to exist, for the worker's first version and for an edit:
// its files (JSON and Markdown, each atomically) are written, then its row is inserted in the
// caller's transaction. The caller holds what makes the version its own (the job's lease and
// the note's new id, or the bumped version number), so no other attempt writes these files.
import type { SoapNote } from '../contract/soap-note.ts'
import type { FileStore } from '../files/file-store.ts'
import type { NoteStore } from '../store/notes.ts'
import { writeNoteFiles } from './files.ts'

export type NoteVersionToCommit = {
  recordingId: string
  noteId: string
  version: number
  patientRef: string | null
  content: SoapNote
  /** The clinician who edited it; null for the version a writer made. */
  editedBy: string | null
}

export async function commitNoteVersion(
  files: FileStore,
  notes: NoteStore,
  v: NoteVersionToCommit
): Promise<void> {
  const written = await writeNoteFiles(
    files,
    { recordingId: v.recordingId, noteId: v.noteId, version: v.version, patientRef: v.patientRef },
    v.content
  )
  await notes.insertVersion({
    note_id: v.noteId,
    version: v.version,
    content: v.content,
    json_path: written.jsonPath,
    markdown_path: written.markdownPath,
    sha256: written.sha256,
    edited_by: v.editedBy,
  })
}
