import type { Queryable } from './database.ts'

export type AuditEntry = {
  user_id: string
  action:
    'note.read' | 'note.edit' | 'note.speakers' | 'note.export' | 'note.versions' | 'audio.read'
  note_id?: string | null
  recording_id?: string | null
  ip?: string | null
  user_agent?: string | null
  request_id?: string | null
  detail?: Record<string, unknown>
}

export function createAuditLog(db: Queryable) {
  return {
    async record(e: AuditEntry): Promise<void> {
      await db.query(
        `INSERT INTO audit_log (user_id, action, note_id, recording_id, ip, user_agent, request_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
        [
          e.user_id,
          e.action,
          e.note_id ?? null,
          e.recording_id ?? null,
          e.ip ?? null,
          e.user_agent?.slice(0, 300) ?? null,
          e.request_id ?? null,
          e.detail ? JSON.stringify(e.detail) : null,
        ]
      )
    },
  }
}
export type AuditLog = ReturnType<typeof createAuditLog>
