import type { Queryable } from '../../api/src/store/database.ts'

/** `count` queued recordings of one new user, each with its pending transcription job. */
export async function insertQueuedJobs(db: Queryable, count: number): Promise<void> {
  const user = crypto.randomUUID()
  await db.query(`INSERT INTO users (id, email) VALUES ($1, $2)`, [user, `${user}@example.org`])
  for (let i = 0; i < count; i++) {
    const rec = crypto.randomUUID()
    await db.query(
      `INSERT INTO recordings (id, user_id, status, template, language, media_type, size_bytes, sha256, audio_path)
       VALUES ($1, $2, 'queued', 'soap', 'en', 'audio/wav', 1, 'x', 'x')`,
      [rec, user]
    )
    await db.query(
      `INSERT INTO jobs (id, recording_id, state, stage) VALUES ($1, $2, 'pending', 'transcribe')`,
      [crypto.randomUUID(), rec]
    )
  }
}
