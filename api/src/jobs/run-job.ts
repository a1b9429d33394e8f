import type { Job } from '../store/jobs.ts'
import { inTransaction, storesOf } from '../store/stores.ts'
import type { WorkerDeps } from './types.ts'
import { LostLeaseError } from './types.ts'
import type { Circuit } from './circuit.ts'
import { ProviderError } from '../providers/types.ts'
import type { Transcript } from '../providers/types.ts'
import { buildNote } from '../notes/build.ts'
import { commitNoteVersion } from '../notes/commit.ts'
import { templateOfRecording } from '../templates/resolve.ts'
import { withSpeakerRoles } from '../notes/speaker-roles.ts'
import { sha256Hex } from '../lib/hex.ts'

type RunDeps = WorkerDeps & { signal: AbortSignal; leaseSeconds: number }

async function callProvider<T>(
  deps: RunDeps,
  circuit: Circuit,
  name: string,
  fn: () => Promise<T>
): Promise<T> {
  if (!circuit.tryAcquire()) {
    throw new ProviderError(name, 'transient', `${name} circuit is open`, 1_000)
  }
  const started = deps.clock.now()
  try {
    const out = await fn()
    circuit.success()
    deps.metrics.observeProvider(name, 'ok', (deps.clock.now() - started) / 1000)
    return out
  } catch (err) {
    deps.metrics.observeProvider(name, 'error', (deps.clock.now() - started) / 1000)
    // A permanent error means the provider answered: it is reachable, so the circuit stays closed.
    if (err instanceof ProviderError && err.kind === 'transient') circuit.failure()
    else circuit.success()
    throw err
  } finally {
    deps.metrics.setCircuit(name, circuit.state === 'open')
  }
}

/** One job from where it stands (transcribe or summarize) to a committed note. */
export async function runJob(job: Job, deps: RunDeps): Promise<void> {
  const rec = await storesOf(deps.db).recordings.byId(job.recording_id)
  if (!rec) throw new Error(`recording ${job.recording_id} is missing`)
  const base = { user_id: rec.user_id, recording_id: rec.id }
  let transcript: Transcript | null = job.transcript

  if (job.stage === 'transcribe' || !transcript) {
    const stt = deps.stt
    if (!stt)
      throw new ProviderError('stt', 'transient', 'no speech-to-text provider is configured')
    await inTransaction(deps.db, async (s, tx) => {
      await s.recordings.setStatus(rec.id, 'transcribing')
      await deps.hub.publish(tx, {
        ...base,
        type: 'recording.transcribing',
        status: 'transcribing',
      })
    })
    const bytes = await deps.files.read('audio', rec.audio_path).catch(() => undefined)
    if (!bytes || (await sha256Hex(bytes)) !== rec.sha256) {
      throw new ProviderError(
        'storage',
        'permanent',
        'the audio file is missing or damaged (checksum mismatch)'
      )
    }
    const input = {
      bytes,
      mediaType: rec.media_type,
      filename: rec.filename ?? 'audio',
      language: rec.language,
    }
    const result = await callProvider(deps, deps.circuits.stt, stt.name, () =>
      stt.transcribe(input, deps.signal)
    )
    transcript = result
    await inTransaction(deps.db, async (s, tx) => {
      if (!(await s.jobs.saveTranscript(job, result, deps.leaseSeconds))) throw new LostLeaseError()
      await s.recordings.setStatus(rec.id, 'summarizing')
      await deps.hub.publish(tx, { ...base, type: 'recording.transcribed', status: 'summarizing' })
    })
  }

  const writer = deps.writer
  // Roles are guessed here, not kept with the transcript: a transcript saved before roles were
  // known gets them too when its note is written.
  const final = withSpeakerRoles(transcript)
  const template = await templateOfRecording(storesOf(deps.db).templates, rec)
  const instruction = rec.instruction ?? undefined
  const output = await callProvider(deps, deps.circuits.writer, writer.name, () =>
    writer.write(
      {
        transcript: final,
        template,
        language: rec.language,
        ...(instruction ? { instruction } : {}),
      },
      deps.signal
    )
  )
  const note = buildNote({
    transcript: final,
    output,
    writer,
    template,
    language: rec.language,
    sttLabel: final.provider === 'openai' ? deps.sttLabel : undefined,
    createdAt: new Date(deps.clock.now()),
  })
  // One transaction commits the note, ends the job and announces it; nothing of it exists until
  // the commit. The file names carry this attempt's new note id: an attempt that lost its lease
  // can never overwrite the files of the note that was committed.
  const noteId = crypto.randomUUID()
  const ok = note.status === 'ok'
  await inTransaction(deps.db, async (s, tx) => {
    if (!(await s.jobs.finish(job, ok ? 'done' : 'failed', ok ? null : 'insufficient_content')))
      throw new LostLeaseError()
    const note1 = { id: noteId, recording_id: rec.id, user_id: rec.user_id, status: note.status }
    if (!(await s.notes.insertNote(note1))) throw new LostLeaseError()
    await commitNoteVersion(deps.files, s.notes, {
      recordingId: rec.id,
      noteId,
      version: 1,
      patientRef: rec.patient_ref,
      content: note,
      editedBy: null,
    })
    const reason = ok ? null : 'insufficient_content'
    await s.recordings.setStatus(rec.id, ok ? 'done' : 'failed', reason, noteId)
    await deps.hub.publish(tx, {
      ...base,
      type: ok ? 'note.ready' : 'recording.failed',
      status: ok ? 'done' : 'failed',
      note_id: noteId,
      reason,
    })
  })
}
