// `node --import tsx api/bench/seed-notes.ts EMAIL COUNT` with DATA_DIR set: gives the benchmark
// account COUNT finished notes straight in the embedded database (before the API opens it), so
// `GET /api/notes?limit=20` reads a full page without running speech-to-text.
import { BUILTIN_TEMPLATES } from '../src/templates/builtin.ts'
import { join } from 'node:path'
import { createPgliteDatabase } from '../src/adapters/pglite.ts'
import { migrate } from '../src/store/migrations.ts'
import { createUserStore } from '../src/store/users.ts'
import { createRecordingStore } from '../src/store/recordings.ts'
import { createNoteStore } from '../src/store/notes.ts'

const [email, countArg] = process.argv.slice(2)
const dataDir = process.env.DATA_DIR
if (!email || !dataDir) throw new Error('usage: DATA_DIR=… seed-notes.ts EMAIL [COUNT]')
const count = Number(countArg ?? 25)
const db = await createPgliteDatabase(join(dataDir, 'pglite'))
await migrate(db)
const user = await createUserStore(db).byEmail(email)
if (!user) throw new Error(`no account ${email}`)
const item = (text: string) => ({
  items: [{ text, evidence: [{ utterance_id: 'u1', start: 0, end: 3 }] }],
})
for (let i = 0; i < count; i++) {
  const recordingId = crypto.randomUUID()
  const noteId = crypto.randomUUID()
  await db.transaction(async (tx) => {
    await createRecordingStore(tx).insertWithJob(
      {
        id: recordingId,
        user_id: user.id,
        template: 'soap',
        template_id: BUILTIN_TEMPLATES.soap.id,
        template_version: 1,
        instruction: null,
        language: 'en',
        patient_ref: `P-${1000 + i}`,
        filename: `visit-${i}.wav`,
        media_type: 'audio/wav',
        size_bytes: 1_920_000,
        sha256: '0'.repeat(64),
        audio_path: `${recordingId.slice(0, 2)}/${recordingId}.wav`,
        idempotency_key: null,
      },
      crypto.randomUUID()
    )
    await tx.query(`UPDATE jobs SET state = 'done' WHERE recording_id = $1`, [recordingId])
    await createNoteStore(tx).insertNote({
      id: noteId,
      recording_id: recordingId,
      user_id: user.id,
      status: 'ok',
    })
    await createNoteStore(tx).insertVersion({
      note_id: noteId,
      version: 1,
      content: {
        schema_version: 'soap.v1',
        status: 'ok',
        language: 'en',
        template: 'soap',
        transcript: {
          utterances: [
            {
              id: 'u1',
              speaker: 'speaker_0',
              start: 0,
              end: 3,
              text: 'Headache for three days.',
            },
          ],
        },
        provenance: {
          stt_provider: 'bench',
          stt_model: 'none',
          writer: 'extractive',
          writer_model: 'extractive-1',
          prompt_version: 'bench',
          created_at: new Date().toISOString(),
        },
        warnings: [],
        sections: {
          subjective: item('Headache for three days.'),
          objective: item('Blood pressure 150/95.'),
          assessment: item('Likely hypertension.'),
          plan: item('Amlodipine 5 mg daily; review in two weeks.'),
        },
      },
      json_path: `${recordingId}/${noteId}.v1.json`,
      markdown_path: `${recordingId}/${noteId}.v1.md`,
      sha256: '0'.repeat(64),
      edited_by: null,
    })
    await tx.query(`UPDATE recordings SET status = 'done', note_id = $2 WHERE id = $1`, [
      recordingId,
      noteId,
    ])
  })
}
await db.close()
console.log(`seeded ${count} notes for ${email}`)
