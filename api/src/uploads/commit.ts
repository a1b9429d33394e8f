import type { AppDeps } from '../deps.ts'

/** What committing a recording uses: the files, the database, live events and the queue. */
export type CommitDeps = Pick<AppDeps, 'files' | 'db' | 'hub' | 'queue'>
import type { Ingested } from './ingest.ts'
import { inTransaction, storesOf } from '../store/stores.ts'
import type { Recording } from '../store/recordings.ts'

/**
 * Makes an upload durable, then acknowledges it: the audio is renamed into place (fsynced),
 * then the recording and its job are committed in one transaction with the `recording.queued`
 * event. If the transaction fails the file is removed again, so nothing half-written remains.
 */
export async function commitRecording(
  deps: CommitDeps,
  args: {
    userId: string
    upload: Ingested
    idempotencyKey: string | null
    /** The template version the note is to be written with, and its name for lists. */
    template: { label: string; id: string; version: number }
    /** The clinician's extra instruction for the writer. */
    instruction: string | null
    language: string
    patientRef: string | null
  }
): Promise<{ recording: Recording; replayed: boolean }> {
  const { upload } = args
  const id = crypto.randomUUID()
  const audioPath = `${id.slice(0, 2)}/${id}.${upload.format.ext}`
  try {
    await deps.files.commit(upload.temp, audioPath)
  } catch (err) {
    // The commit's own failure is the answer; a temporary object the store cannot delete now
    // (it is down) is removed by the periodic sweep.
    await deps.files.discard(upload.temp).catch(() => {})
    throw err
  }
  try {
    await inTransaction(deps.db, async (s, tx) => {
      await s.recordings.insertWithJob(
        {
          id,
          user_id: args.userId,
          template: args.template.label,
          template_id: args.template.id,
          template_version: args.template.version,
          instruction: args.instruction,
          language: args.language,
          patient_ref: args.patientRef,
          filename: upload.filename.slice(0, 255) || null,
          media_type: upload.format.mediaType,
          size_bytes: upload.temp.size,
          sha256: upload.temp.sha256,
          audio_path: audioPath,
          idempotency_key: args.idempotencyKey,
        },
        crypto.randomUUID()
      )
      await deps.hub.publish(tx, {
        type: 'recording.queued',
        user_id: args.userId,
        recording_id: id,
        status: 'queued',
      })
    })
  } catch (err) {
    await deps.files.remove('audio', audioPath)
    // Two retries of one upload raced: the first one won, this one answers with its result.
    if (args.idempotencyKey) {
      const winner = await storesOf(deps.db).recordings.byIdempotencyKey(
        args.userId,
        args.idempotencyKey
      )
      if (winner) return { recording: winner, replayed: true }
    }
    throw err
  }
  deps.queue.wake()
  const recording = await storesOf(deps.db).recordings.byId(id)
  return { recording: recording!, replayed: false }
}
