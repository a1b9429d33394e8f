import type { Queryable } from './database.ts'
import type { TemplateSection } from '../contract/templates.ts'

export type TemplateScope = 'builtin' | 'clinic' | 'personal'

/** A template at one of its versions (the current one unless asked otherwise). */
export type TemplateRow = {
  id: string
  slug: string | null
  scope: TemplateScope
  owner_id: string | null
  current_version: number
  version: number
  name: string
  instruction: string
  sections: TemplateSection[]
  created_at: Date
  updated_at: Date
}

const SELECT = `SELECT t.id, t.slug, t.scope, t.owner_id, t.current_version, v.version, v.name,
  v.instruction, v.sections, t.created_at, v.created_at AS updated_at
  FROM note_templates t JOIN note_template_versions v ON v.template_id = t.id`

// Who sees a template: everyone sees the built-in and clinic-wide ones; a personal one only
// its owner. Someone else's reads as missing.
const VISIBLE = `(t.scope <> 'personal' OR t.owner_id = $1)`

export type NewTemplateVersion = {
  name: string
  instruction: string
  sections: TemplateSection[]
  createdBy: string
}

export function createTemplateStore(db: Queryable) {
  return {
    async listVisible(userId: string): Promise<TemplateRow[]> {
      return db.query<TemplateRow>(
        `${SELECT} WHERE v.version = t.current_version AND ${VISIBLE}
         ORDER BY CASE t.scope WHEN 'builtin' THEN 0 WHEN 'clinic' THEN 1 ELSE 2 END, t.created_at, v.name`,
        [userId]
      )
    },
    /** The template at `version` (default: its current one), if the user may see it. */
    async visible(userId: string, id: string, version?: number): Promise<TemplateRow | undefined> {
      const rows = await db.query<TemplateRow>(
        `${SELECT} WHERE t.id = $2 AND v.version = COALESCE($3::int, t.current_version) AND ${VISIBLE}`,
        [userId, id, version ?? null]
      )
      return rows[0]
    },
    async bySlug(slug: string): Promise<TemplateRow | undefined> {
      const rows = await db.query<TemplateRow>(
        `${SELECT} WHERE t.slug = $1 AND v.version = t.current_version`,
        [slug]
      )
      return rows[0]
    },
    /** A version whatever its owner: the worker writes the note its recording asked for. */
    async version(id: string, version: number): Promise<TemplateRow | undefined> {
      const rows = await db.query<TemplateRow>(`${SELECT} WHERE t.id = $1 AND v.version = $2`, [
        id,
        version,
      ])
      return rows[0]
    },
    async create(id: string, scope: 'clinic' | 'personal', v: NewTemplateVersion): Promise<void> {
      await db.query(
        `INSERT INTO note_templates (id, scope, owner_id, current_version) VALUES ($1, $2, $3, 1)`,
        [id, scope, scope === 'personal' ? v.createdBy : null]
      )
      await insertVersion(db, id, 1, v)
    },
    /** Optimistic: the new version is written only if nobody else made one since `expected`. */
    async addVersion(id: string, expected: number, v: NewTemplateVersion): Promise<boolean> {
      const rows = await db.query(
        `UPDATE note_templates SET current_version = current_version + 1, updated_at = now()
         WHERE id = $1 AND current_version = $2 RETURNING id`,
        [id, expected]
      )
      if (rows.length !== 1) return false
      await insertVersion(db, id, expected + 1, v)
      return true
    },
  }
}

async function insertVersion(db: Queryable, id: string, version: number, v: NewTemplateVersion) {
  await db.query(
    `INSERT INTO note_template_versions (template_id, version, name, instruction, sections, created_by)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
    [id, version, v.name, v.instruction, JSON.stringify(v.sections), v.createdBy]
  )
}
export type TemplateStore = ReturnType<typeof createTemplateStore>
