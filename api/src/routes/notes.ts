import type { Context, Hono } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'
import { ApiError } from '../errors.ts'
import type { NoteRow, NoteVersion } from '../store/notes.ts'
import { inTransaction, storesOf } from '../store/stores.ts'
import { renderMarkdown } from '../notes/markdown.ts'
import { commitNoteVersion } from '../notes/commit.ts'
import { decodeCursor, encodeCursor } from '../notes/cursor.ts'
import { ownedById } from '../http/owned.ts'
import { parseJson, validate } from '../http/validation.ts'
import { auditContext } from '../http/audit-context.ts'
import { SoapNoteSchema } from '../contract/soap-note.ts'
import { NoteEditSchema, NoteListQuerySchema, SpeakerRolesEditSchema } from '../contract/notes.ts'
import type { SoapNote } from '../contract/soap-note.ts'
import { layoutOf } from '../notes/layout.ts'
import { correctSpeakerRoles } from '../notes/speaker-roles.ts'
import type { Note, NoteList, NoteVersionList } from '../contract/notes.ts'
import { fastJson } from '../http/request-context.ts'

// Versions in paths fit a PostgreSQL integer.
const VERSION = /^[1-9]\d{0,8}$/

const toResponse = (n: NoteRow, v: NoteVersion, patientRef: string | null): Note => ({
  ...v.content,
  id: n.id,
  recording_id: n.recording_id,
  version: v.version,
  patient_ref: patientRef,
  created_at: new Date(n.created_at).toISOString(),
  updated_at: new Date(v.created_at).toISOString(),
})

const wantsMarkdown = (c: Context) =>
  /text\/markdown/.test(c.req.header('accept') ?? '') || c.req.query('format') === 'md'

export function registerNoteRoutes(app: Hono<AppEnv>, deps: AppDeps) {
  const { notes, recordings, audit } = storesOf(deps.db)

  const owned = async (c: Context<AppEnv>) => {
    const note = await ownedById(c, 'note', notes.forUser)
    const rec = await recordings.byId(note.recording_id)
    return { note, patientRef: rec?.patient_ref ?? null }
  }

  app.get('/api/notes', validate('query', NoteListQuerySchema), async (c) => {
    const { limit, cursor } = c.req.valid('query')
    const before = cursor ? decodeCursor(cursor) : undefined
    if (cursor && !before) {
      throw new ApiError({ code: 'BAD_REQUEST', message: 'the cursor is not valid' })
    }
    const rows = await notes.listForUser(c.get('principal').userId, limit + 1, before)
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    const list: NoteList = {
      items: page.map((n) => ({
        id: n.id,
        recording_id: n.recording_id,
        version: n.version,
        status: n.status,
        template: n.template,
        patient_ref: n.patient_ref,
        created_at: new Date(n.created_at).toISOString(),
        updated_at: new Date(n.updated_at).toISOString(),
      })),
      next_cursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
    }
    return fastJson(c, list)
  })

  app.get('/api/notes/:id', async (c) => {
    const { note, patientRef } = await owned(c)
    const v = await notes.version(note.id, note.version)
    if (!v) throw new ApiError({ code: 'NOT_FOUND', message: 'no such note' })
    const md = wantsMarkdown(c)
    await audit.record({
      ...auditContext(c),
      action: md ? 'note.export' : 'note.read',
      note_id: note.id,
      recording_id: note.recording_id,
      detail: { version: v.version, format: md ? 'markdown' : 'json' },
    })
    if (md) {
      return c.body(
        renderMarkdown(v.content, { patient_ref: patientRef, version: v.version }),
        200,
        {
          'content-type': 'text/markdown; charset=utf-8',
          'content-disposition': `attachment; filename="note-${note.id}-v${v.version}.md"`,
        }
      )
    }
    return fastJson(c, toResponse(note, v, patientRef))
  })

  app.get('/api/notes/:id/versions', async (c) => {
    const { note } = await owned(c)
    await audit.record({
      ...auditContext(c),
      action: 'note.versions',
      note_id: note.id,
      recording_id: note.recording_id,
    })
    const rows = await notes.versions(note.id)
    const list: NoteVersionList = {
      items: rows.map((r) => ({ ...r, created_at: new Date(r.created_at).toISOString() })),
    }
    return c.json(list)
  })

  app.get('/api/notes/:id/versions/:version', async (c) => {
    const { note, patientRef } = await owned(c)
    const param = c.req.param('version') ?? ''
    const v = VERSION.test(param) ? await notes.version(note.id, Number(param)) : undefined
    if (!v) throw new ApiError({ code: 'NOT_FOUND', message: 'no such version' })
    await audit.record({
      ...auditContext(c),
      action: 'note.read',
      note_id: note.id,
      recording_id: note.recording_id,
      detail: { version: v.version },
    })
    return c.json(toResponse(note, v, patientRef))
  })

  /**
   * Writes `change(current)` as the note's next version, against `base` (409 when the note has
   * moved on), audited as `action`.
   */
  async function newVersion(
    c: Context<AppEnv>,
    base: number,
    action: 'note.edit' | 'note.speakers',
    change: (current: SoapNote) => SoapNote
  ) {
    const { note, patientRef } = await owned(c)
    if (base !== note.version) {
      throw new ApiError({
        code: 'CONFLICT',
        message: `the note is at version ${note.version}; reload it and edit again`,
      })
    }
    const current = await notes.version(note.id, note.version)
    if (!current) throw new ApiError({ code: 'NOT_FOUND', message: 'no such note' })
    const version = note.version + 1
    const content = SoapNoteSchema.parse(change(current.content))
    const userId = c.get('principal').userId
    await inTransaction(deps.db, async (s) => {
      if (!(await s.notes.bumpVersion(note.id, note.version))) {
        throw new ApiError({
          code: 'CONFLICT',
          message: 'the note was edited meanwhile; reload it and edit again',
        })
      }
      // Written only once this edit holds the version, so a losing concurrent edit never
      // overwrites the winner's files (the paths are the same).
      await commitNoteVersion(deps.files, s.notes, {
        recordingId: note.recording_id,
        noteId: note.id,
        version,
        patientRef,
        content,
        editedBy: userId,
      })
      await s.audit.record({
        ...auditContext(c),
        action,
        note_id: note.id,
        recording_id: note.recording_id,
        detail: { from: note.version, to: version },
      })
    })
    const saved = await notes.version(note.id, version)
    return c.json(toResponse({ ...note, version }, saved!, patientRef))
  }

  app.patch('/api/notes/:id', async (c) => {
    await owned(c) // a missing note is a 404 before its body is read
    const edit = await parseJson(c.req.raw, NoteEditSchema)
    return newVersion(c, edit.base_version, 'note.edit', (current) => {
      // The note's own sections, each of them: an edit changes items, not the template.
      const keys = layoutOf(current).map((l) => l.key)
      const given = Object.keys(edit.sections)
      const missing = keys.filter((k) => !given.includes(k))
      const extra = given.filter((k) => !keys.includes(k))
      if (missing.length > 0 || extra.length > 0) {
        throw new ApiError({
          code: 'BAD_REQUEST',
          message: `sections: the note's sections are ${keys.join(', ')}${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unknown ${extra.join(', ')}` : ''}`,
        })
      }
      return { ...current, sections: Object.fromEntries(keys.map((k) => [k, edit.sections[k]!])) }
    })
  })

  app.put('/api/notes/:id/speakers', async (c) => {
    await owned(c)
    const edit = await parseJson(c.req.raw, SpeakerRolesEditSchema)
    return newVersion(c, edit.base_version, 'note.speakers', (current) => {
      const speakers = correctSpeakerRoles(
        current.transcript.utterances,
        current.transcript.speakers,
        edit.roles
      )
      if ('unknown' in speakers) {
        throw new ApiError({
          code: 'BAD_REQUEST',
          message: `roles: no such speaker in the transcript: ${speakers.unknown.join(', ')}`,
        })
      }
      return { ...current, transcript: { ...current.transcript, speakers } }
    })
  })
}
