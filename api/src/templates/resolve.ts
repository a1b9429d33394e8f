import { TEMPLATES } from '../contract/names.ts'
import type { Template } from '../contract/names.ts'
import { ApiError } from '../errors.ts'
import type { TemplateRow, TemplateStore } from '../store/templates.ts'
import { BUILTIN_TEMPLATES } from './builtin.ts'
import type { NoteTemplate } from './builtin.ts'

/** A template row as the writers read it. */
export const toNoteTemplate = (row: TemplateRow): NoteTemplate => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  version: row.version,
  instruction: row.instruction,
  sections: row.sections,
})

/**
 * The `template` field of an upload (a built-in name or a template id) as the current version of
 * a template the user may use; a missing or someone else's is a 400 on that field.
 */
export async function resolveUploadTemplate(
  templates: TemplateStore,
  userId: string,
  field: string
): Promise<TemplateRow> {
  const row = (TEMPLATES as readonly string[]).includes(field)
    ? await templates.bySlug(field)
    : await templates.visible(userId, field)
  if (!row) throw new ApiError({ code: 'BAD_REQUEST', message: 'template: no such template' })
  return row
}

/**
 * The template a recording's note is written with: the version it names, or for a recording
 * from before templates were data, the built-in one of its name (as it was in code).
 */
export async function templateOfRecording(
  templates: TemplateStore,
  rec: { template: string; template_id: string | null; template_version: number | null }
): Promise<NoteTemplate> {
  if (rec.template_id && rec.template_version) {
    const row = await templates.version(rec.template_id, rec.template_version)
    if (row) return toNoteTemplate(row)
  }
  return BUILTIN_TEMPLATES[rec.template as Template] ?? BUILTIN_TEMPLATES.soap
}
