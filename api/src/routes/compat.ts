import type { Hono } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { ingestUpload } from '../uploads/ingest.ts'
import { commitRecording } from '../uploads/commit.ts'
import { storesOf } from '../store/stores.ts'
import { renderMarkdown } from '../notes/markdown.ts'
import type { CompatNote, CompatPending } from '../contract/compat.ts'
import { runtimeBody } from '../http/runtime-request.ts'
import { BUILTIN_TEMPLATES } from '../templates/builtin.ts'

const WAIT_MS = 10 * 60_000
// As the upload's `instruction` (contract/recordings.ts).
const MAX_INSTRUCTION = 2000

/**
 * The seeds' synchronous contract, kept for existing clients: upload, wait for the note, answer
 * with it; its `prompt_instruction` goes to the writer as the clinician's instruction (the model
 * writer reads it; the extractive one cannot). The recording is queued durably like any other, so a client that gives up waiting
 * still finds its note later.
 */
export function registerCompatRoutes(app: Hono<AppEnv>, deps: AppDeps) {
  app.post('/transcribe-and-summarize', async (c) => {
    const userId = c.get('principal').userId
    const upload = await ingestUpload(deps, c.req.raw, 'audio_file', runtimeBody(c))
    const unknown = Object.keys(upload.fields).filter(
      (k) => !['user_id', 'prompt_instruction'].includes(k)
    )
    const instruction = (upload.fields.prompt_instruction ?? '').trim()
    if (unknown.length > 0 || instruction.length > MAX_INSTRUCTION) {
      await deps.files.discard(upload.temp)
      throw new ApiError({
        code: 'BAD_REQUEST',
        message:
          unknown.length > 0
            ? `unknown fields: ${unknown.join(', ')}`
            : `prompt_instruction: at most ${MAX_INSTRUCTION} characters`,
      })
    }
    let done: (() => void) | undefined
    const finished = new Promise<void>((resolve) => (done = resolve))
    let recordingId: string | undefined
    const unsubscribe = deps.hub.subscribe(userId, (e) => {
      if (
        e.recording_id === recordingId &&
        (e.type === 'note.ready' || e.type === 'recording.failed')
      )
        done?.()
    })
    try {
      const soap = BUILTIN_TEMPLATES.soap
      const { recording } = await commitRecording(deps, {
        userId,
        upload,
        idempotencyKey: null,
        template: { label: 'soap', id: soap.id, version: soap.version },
        instruction: instruction || null,
        language: 'en',
        patientRef: null,
      })
      recordingId = recording.id
      const timer = setTimeout(() => done?.(), WAIT_MS)
      // Poll once in case the note landed between commit and subscription.
      const poll = setInterval(
        () =>
          void storesOf(deps.db)
            .recordings.byId(recording.id)
            .then((r) => r && ['done', 'failed'].includes(r.status) && done?.()),
        2_000
      )
      await finished
      clearTimeout(timer)
      clearInterval(poll)
      const rec = await storesOf(deps.db).recordings.byId(recording.id)
      const note = rec?.note_id ? await storesOf(deps.db).notes.byRecording(rec.id) : undefined
      const v = note ? await storesOf(deps.db).notes.version(note.id, note.version) : undefined
      if (!rec || rec.status !== 'done' || !v) {
        const pending: CompatPending = {
          recording_id: recording.id,
          status: rec?.status ?? 'queued',
          reason: rec?.reason ?? 'still processing',
        }
        return c.json(pending, rec?.status === 'failed' ? 422 : 202)
      }
      const answer: CompatNote = {
        recording_id: rec.id,
        note_id: v.note_id,
        status: 'done',
        transcript: v.content.transcript.utterances
          .map((u) => `${u.speaker}: ${u.text}`)
          .join('\n'),
        summary: renderMarkdown(v.content),
        note: v.content,
      }
      return c.json(answer)
    } finally {
      unsubscribe()
    }
  })
}
