import type { Context, Hono } from 'hono'
import type { AppDeps, AppEnv } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { storesOf } from '../store/stores.ts'
import type { TemplateRow } from '../store/templates.ts'
import { ownedById } from '../http/owned.ts'
import { parseJson } from '../http/validation.ts'
import { TemplateInputSchema, TemplateSectionSchema } from '../contract/templates.ts'
import type { NoteTemplateResponse, TemplateList } from '../contract/templates.ts'
import { mayManageClinicTemplates } from '../templates/policy.ts'
import type { Principal } from '../auth/tokens.ts'

// Versions in paths fit a PostgreSQL integer.
const VERSION = /^[1-9]\d{0,8}$/

export function registerTemplateRoutes(app: Hono<AppEnv>, deps: AppDeps) {
  const { templates, users } = storesOf(deps.db)

  /** Whether the caller may manage clinic-wide templates; the role is read once per request. */
  const clinicEditor = async (p: Principal) =>
    mayManageClinicTemplates(deps.config, p, await users.roleOf(p.userId))

  const editable = (row: TemplateRow, p: Principal, clinic: boolean) =>
    row.scope === 'personal' ? row.owner_id === p.userId : row.scope === 'clinic' && clinic

  const toResponse = async (row: TemplateRow, p: Principal): Promise<NoteTemplateResponse> => {
    const clinic = row.scope === 'clinic' && (await clinicEditor(p))
    return responseOf(row, p, clinic)
  }

  const responseOf = (row: TemplateRow, p: Principal, clinic: boolean): NoteTemplateResponse => ({
    id: row.id,
    slug: row.slug,
    name: row.name,
    scope: row.scope,
    version: row.version,
    instruction: row.instruction,
    // As stored; parsed so a row from an older shape still answers the contract's.
    sections: row.sections.map((s) => TemplateSectionSchema.parse(s)),
    editable: row.version === row.current_version && editable(row, p, clinic),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  })

  /** Clinic-wide templates are made and changed only by those the policy allows. */
  const mayUseScope = async (c: Context<AppEnv>, scope: 'clinic' | 'personal') => {
    if (scope === 'clinic' && !(await clinicEditor(c.get('principal')))) {
      throw new ApiError({
        code: 'FORBIDDEN',
        message: 'only an administrator may create or change clinic-wide templates',
      })
    }
  }

  app.get('/api/templates', async (c) => {
    const p = c.get('principal')
    const rows = await templates.listVisible(p.userId)
    const clinic = await clinicEditor(p)
    const list: TemplateList = { items: rows.map((r) => responseOf(r, p, clinic)) }
    return c.json(list)
  })

  app.post('/api/templates', async (c) => {
    const p = c.get('principal')
    const input = await parseJson(c.req.raw, TemplateInputSchema)
    await mayUseScope(c, input.scope)
    const id = crypto.randomUUID()
    await deps.db.transaction((tx) =>
      storesOf(tx).templates.create(id, input.scope, { ...input, createdBy: p.userId })
    )
    const row = await templates.visible(p.userId, id)
    return c.json(await toResponse(row!, p), 201, { location: `/api/templates/${id}` })
  })

  app.get('/api/templates/:id', async (c) => {
    const row = await ownedById(c, 'template', (userId, id) => templates.visible(userId, id))
    return c.json(await toResponse(row, c.get('principal')))
  })

  app.get('/api/templates/:id/versions/:version', async (c) => {
    const param = c.req.param('version') ?? ''
    const row = await ownedById(c, 'template', (userId, id) =>
      VERSION.test(param)
        ? templates.visible(userId, id, Number(param))
        : Promise.resolve(undefined)
    )
    return c.json(await toResponse(row, c.get('principal')))
  })

  app.put('/api/templates/:id', async (c) => {
    const p = c.get('principal')
    const row = await ownedById(c, 'template', (userId, id) => templates.visible(userId, id))
    const input = await parseJson(c.req.raw, TemplateInputSchema)
    if (row.scope === 'builtin') {
      throw new ApiError({
        code: 'FORBIDDEN',
        message: 'the built-in templates cannot be changed; create a template of your own from it',
      })
    }
    if (input.scope !== row.scope) {
      throw new ApiError({
        code: 'BAD_REQUEST',
        message: `scope: a ${row.scope} template stays ${row.scope}; create a new one instead`,
      })
    }
    await mayUseScope(c, row.scope)
    const ok = await deps.db.transaction((tx) =>
      storesOf(tx).templates.addVersion(row.id, row.current_version, {
        ...input,
        createdBy: p.userId,
      })
    )
    if (!ok) {
      throw new ApiError({
        code: 'CONFLICT',
        message: 'the template was changed meanwhile; reload it and edit again',
      })
    }
    return c.json(await toResponse((await templates.visible(p.userId, row.id))!, p))
  })
}
