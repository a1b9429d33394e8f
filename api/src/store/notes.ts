import type { Queryable } from './database.ts'
import type { SoapNote } from '../contract/soap-note.ts'

export type NoteRow = {
  id: string
  recording_id: string
  user_id: string
  version: number
  status: string
  created_at: Date
  updated_at: Date
}
export type NoteVersion = {
  note_id: string
  version: number
  content: SoapNote
  json_path: string
  markdown_path: string
  sha256: string
  edited_by: string | null
  created_at: Date
}
export type NewVersion = Omit<NoteVersion, 'created_at'>

export function createNoteStore(db: Queryable) {
  return {
    async forUser(userId: string, id: string): Promise<NoteRow | undefined> {
      const rows = await db.query<NoteRow>('SELECT * FROM notes WHERE id = $1 AND user_id = $2', [
        id,
        userId,
      ])
      return rows[0]
    },
    async byRecording(recordingId: string): Promise<NoteRow | undefined> {
      const rows = await db.query<NoteRow>('SELECT * FROM notes WHERE recording_id = $1', [
        recordingId,
      ])
      return rows[0]
    },
    /** Newest first; the cursor is the last page's final (created_at, id), so pages never shift. */
    async listForUser(userId: string, limit: number, before?: { at: string; id: string }) {
      return db.query<NoteRow & { patient_ref: string | null; template: string }>(
        `SELECT n.*, r.patient_ref, r.template FROM notes n JOIN recordings r ON r.id = n.recording_id
         WHERE n.user_id = $1 AND ($2::timestamptz IS NULL OR (n.created_at, n.id) < ($2::timestamptz, $3::uuid))
         ORDER BY n.created_at DESC, n.id DESC LIMIT $4`,
        [userId, before?.at ?? null, before?.id ?? null, limit]
      )
    },
    async version(noteId: string, version: number): Promise<NoteVersion | undefined> {
      const rows = await db.query<NoteVersion>(
        'SELECT * FROM note_versions WHERE note_id = $1 AND version = $2',
        [noteId, version]
      )
      return rows[0]
    },
    async versions(noteId: string) {
      return db.query<{
        version: number
        edited_by: string | null
        created_at: Date
        sha256: string
      }>(
        'SELECT version, edited_by, created_at, sha256 FROM note_versions WHERE note_id = $1 ORDER BY version',
        [noteId]
      )
    },
    /** First version of a recording's note; a second writer for the same recording inserts nothing. */
    /**
     * The note of a recording, at version 1 (its version row comes with commitNoteVersion);
     * false when the recording already has one: exactly one note per recording.
     */
    async insertNote(
      note: Omit<NoteRow, 'created_at' | 'updated_at' | 'version'>
    ): Promise<boolean> {
      const rows = await db.query(
        `INSERT INTO notes (id, recording_id, user_id, version, status) VALUES ($1, $2, $3, 1, $4)
         ON CONFLICT (recording_id) DO NOTHING RETURNING id`,
        [note.id, note.recording_id, note.user_id, note.status]
      )
      return rows.length > 0
    },
    async insertVersion(v: NewVersion): Promise<void> {
      await db.query(
        `INSERT INTO note_versions (note_id, version, content, json_path, markdown_path, sha256, edited_by)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)`,
        [
          v.note_id,
          v.version,
          JSON.stringify(v.content),
          v.json_path,
          v.markdown_path,
          v.sha256,
          v.edited_by,
        ]
      )
    },
    /** Optimistic: bumps the version only if nobody else edited since `expected`. */
    async bumpVersion(noteId: string, expected: number): Promise<boolean> {
      const rows = await db.query(
        'UPDATE notes SET version = version + 1, updated_at = now() WHERE id = $1 AND version = $2 RETURNING id',
        [noteId, expected]
      )
      return rows.length === 1
    },
  }
}
export type NoteStore = ReturnType<typeof createNoteStore>
