import type { Queryable } from './database.ts'

export type RecordingStatus = 'queued' | 'transcribing' | 'summarizing' | 'done' | 'failed'

export type Recording = {
  id: string
  user_id: string
  status: RecordingStatus
  reason: string | null
  template: string
  /** The template version the note is written with (null only for rows older than 004). */
  template_id: string | null
  template_version: number | null
  /** The clinician's extra instruction for the writer. */
  instruction: string | null
  language: string
  patient_ref: string | null
  filename: string | null
  media_type: string
  size_bytes: number
  sha256: string
  audio_path: string
  idempotency_key: string | null
  note_id: string | null
  /** The last provider error of a job still waiting to be retried. */
  waiting_on: string | null
  created_at: Date
  updated_at: Date
}

export type NewRecording = Omit<
  Recording,
  'status' | 'reason' | 'note_id' | 'waiting_on' | 'created_at' | 'updated_at'
>

const COLUMNS = `(SELECT j.last_error FROM jobs j WHERE j.recording_id = recordings.id AND j.state = 'pending') AS waiting_on, id, user_id, status, reason, template, template_id, template_version, instruction, language, patient_ref, filename, media_type,
  size_bytes::float8 AS size_bytes, sha256, audio_path, idempotency_key, note_id, created_at, updated_at`

export function createRecordingStore(db: Queryable) {
  return {
    /** Only the owner's recordings are visible: someone else's id reads as missing. */
    async forUser(userId: string, id: string): Promise<Recording | undefined> {
      const rows = await db.query<Recording>(
        `SELECT ${COLUMNS} FROM recordings WHERE id = $1 AND user_id = $2`,
        [id, userId]
      )
      return rows[0]
    },
    async byId(id: string): Promise<Recording | undefined> {
      const rows = await db.query<Recording>(`SELECT ${COLUMNS} FROM recordings WHERE id = $1`, [
        id,
      ])
      return rows[0]
    },
    async byIdempotencyKey(userId: string, key: string): Promise<Recording | undefined> {
      const rows = await db.query<Recording>(
        `SELECT ${COLUMNS} FROM recordings WHERE user_id = $1 AND idempotency_key = $2`,
        [userId, key]
      )
      return rows[0]
    },
    async listForUser(userId: string, limit: number): Promise<Recording[]> {
      return db.query<Recording>(
        `SELECT ${COLUMNS} FROM recordings WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
        [userId, limit]
      )
    },
    /** Inserts the recording and its job in the caller's transaction. */
    async insertWithJob(r: NewRecording, jobId: string): Promise<void> {
      await db.query(
        `INSERT INTO recordings (id, user_id, status, template, language, patient_ref, filename, media_type,
           size_bytes, sha256, audio_path, idempotency_key, template_id, template_version, instruction)
         VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          r.id,
          r.user_id,
          r.template,
          r.language,
          r.patient_ref,
          r.filename,
          r.media_type,
          r.size_bytes,
          r.sha256,
          r.audio_path,
          r.idempotency_key,
          r.template_id,
          r.template_version,
          r.instruction,
        ]
      )
      await db.query(
        `INSERT INTO jobs (id, recording_id, state, stage) VALUES ($1, $2, 'pending', 'transcribe')`,
        [jobId, r.id]
      )
    },
    async setStatus(
      id: string,
      status: RecordingStatus,
      reason: string | null = null,
      noteId?: string
    ) {
      await db.query(
        `UPDATE recordings SET status = $2, reason = $3, note_id = COALESCE($4, note_id), updated_at = now()
         WHERE id = $1`,
        [id, status, reason, noteId ?? null]
      )
    },
  }
}
export type RecordingStore = ReturnType<typeof createRecordingStore>
