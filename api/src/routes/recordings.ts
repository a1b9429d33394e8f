import type { Context, Hono } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'
import { ApiError } from '../errors.ts'
import type { Recording } from '../store/recordings.ts'
import { storesOf } from '../store/stores.ts'
import { ingestUpload } from '../uploads/ingest.ts'
import { commitRecording } from '../uploads/commit.ts'
import { ownedById } from '../http/owned.ts'
import { parseValue, validate } from '../http/validation.ts'
import { auditContext } from '../http/audit-context.ts'
import {
  RecordingFieldsSchema,
  RecordingListQuerySchema,
  RecordingUploadHeadersSchema,
} from '../contract/recordings.ts'
import type {
  Recording as RecordingResponse,
  RecordingAccepted,
  RecordingList,
} from '../contract/recordings.ts'
import { fastJson } from '../http/request-context.ts'
import { resolveUploadTemplate } from '../templates/resolve.ts'
import { runtimeBody } from '../http/runtime-request.ts'

/** While a recording waits, `detail` says on what: a provider error being retried, or no provider. */
export const toRecordingResponse = (r: Recording, sttConfigured = true): RecordingResponse => ({
  id: r.id,
  status: r.status,
  note_id: r.note_id,
  reason: r.reason,
  detail:
    r.status === 'queued' && !sttConfigured
      ? 'waiting: no speech-to-text provider is configured'
      : r.waiting_on
        ? `retrying: ${r.waiting_on}`
        : null,
  created_at: new Date(r.created_at).toISOString(),
  template: r.template,
  template_id: r.template_id,
  template_version: r.template_version,
  language: r.language,
  patient_ref: r.patient_ref,
  size_bytes: Number(r.size_bytes),
})

export function registerRecordingRoutes(app: Hono<AppEnv>, deps: AppDeps) {
  const { recordings, audit, templates } = storesOf(deps.db)

  const owned = (c: Context<AppEnv>) => ownedById(c, 'recording', recordings.forUser)

  app.post('/api/recordings', validate('header', RecordingUploadHeadersSchema), async (c) => {
    const userId = c.get('principal').userId
    const key = c.req.valid('header')['idempotency-key']
    if (key) {
      const existing = await recordings.byIdempotencyKey(userId, key)
      if (existing) {
        // The body is thrown away by discardUnreadBody before this answer goes out.
        const accepted: RecordingAccepted = { id: existing.id, status: existing.status }
        return c.json(accepted, 202, {
          'idempotent-replayed': 'true',
        })
      }
    }
    const upload = await ingestUpload(deps, c.req.raw, 'audio', runtimeBody(c))
    let fields
    let template
    try {
      fields = parseValue(upload.fields, RecordingFieldsSchema)
      template = await resolveUploadTemplate(templates, userId, fields.template)
    } catch (err) {
      await deps.files.discard(upload.temp)
      throw err
    }
    const { recording, replayed } = await commitRecording(deps, {
      userId,
      upload,
      idempotencyKey: key ?? null,
      template: {
        label: template.slug ?? template.name,
        id: template.id,
        version: template.version,
      },
      instruction: fields.instruction || null,
      language: fields.language,
      patientRef: fields.patient_ref ?? null,
    })
    const headers: Record<string, string> = { location: `/api/recordings/${recording.id}` }
    if (replayed) headers['idempotent-replayed'] = 'true'
    const accepted: RecordingAccepted = { id: recording.id, status: recording.status }
    return c.json(accepted, 202, headers)
  })

  app.get('/api/recordings', validate('query', RecordingListQuerySchema), async (c) => {
    const { limit } = c.req.valid('query')
    const rows = await recordings.listForUser(c.get('principal').userId, limit)
    const list: RecordingList = {
      items: rows.map((r) => toRecordingResponse(r, !!deps.providers.stt)),
    }
    return fastJson(c, list)
  })

  app.get('/api/recordings/:id', async (c) =>
    fastJson(c, toRecordingResponse(await owned(c), !!deps.providers.stt))
  )

  app.get('/api/recordings/:id/audio', async (c) => {
    const rec = await owned(c)
    const size = await deps.files.size('audio', rec.audio_path)
    if (size === undefined)
      throw new ApiError({ code: 'NOT_FOUND', message: 'the audio file is missing' })
    await audit.record({ ...auditContext(c), action: 'audio.read', recording_id: rec.id })
    const headers: Record<string, string> = {
      'content-type': rec.media_type,
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-store',
    }
    const range = parseRange(c.req.header('range'), size)
    if (range === 'invalid') {
      return c.body(null, 416, { ...headers, 'content-range': `bytes */${size}` })
    }
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`
      headers['content-length'] = String(range.end - range.start + 1)
      return c.body(deps.files.stream('audio', rec.audio_path, range), 206, headers)
    }
    headers['content-length'] = String(size)
    return c.body(deps.files.stream('audio', rec.audio_path), 200, headers)
  })
}

/** A single `bytes=` range (what audio elements send); multiple ranges are served whole. */
export function parseRange(header: string | undefined, size: number) {
  if (!header) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return header.includes(',') ? undefined : 'invalid'
  let start: number
  let end: number
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]))
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  }
  if (start > end || start >= size) return 'invalid'
  return { start, end }
}
