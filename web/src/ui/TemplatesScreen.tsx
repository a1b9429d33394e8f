import { useEffect, useState } from 'react'
import { listTemplates, saveTemplate } from '../lib/api.ts'
import type { NoteTemplate } from '../lib/types.ts'
import { TemplateEditor, toInput } from './TemplateEditor.tsx'
import type { TemplateDraft } from './TemplateEditor.tsx'

const SCOPE_LABELS: Record<NoteTemplate['scope'], string> = {
  builtin: 'built-in',
  clinic: 'clinic-wide',
  personal: 'yours',
}

const draftOf = (t: NoteTemplate, copy: boolean): TemplateDraft => ({
  ...(copy ? {} : { id: t.id }),
  name: copy ? `${t.name} (my copy)` : t.name,
  instruction: t.instruction,
  scope: copy || t.scope === 'builtin' ? 'personal' : t.scope,
  sections: t.sections.map((s) => ({
    key: s.key,
    title: s.title,
    instruction: s.instruction,
    maxItems: s.max_items ? String(s.max_items) : '',
  })),
})

const BLANK: TemplateDraft = {
  name: '',
  instruction: '',
  scope: 'personal',
  sections: [{ key: '', title: '', instruction: '', maxItems: '' }],
}

/** The templates a clinician can pick when recording, and the editor for their own. */
export default function TemplatesScreen() {
  const [items, setItems] = useState<NoteTemplate[] | null>(null)
  const [editing, setEditing] = useState<TemplateDraft | null>(null)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [status, setStatus] = useState<string | null>(null)

  const load = () =>
    listTemplates()
      .then((r) => setItems(r.items))
      .catch((err: Error) => setError(err.message))
  useEffect(() => void load(), [])

  async function save(d: TemplateDraft) {
    setSaving(true)
    setError(null)
    try {
      const saved = await saveTemplate(toInput(d), d.id)
      setEditing(null)
      setStatus(`Saved “${saved.name}”, version ${saved.version}`)
      await load()
    } catch (err) {
      setError(`Not saved: ${(err as Error).message}`)
    } finally {
      setSaving(false)
    }
  }

  return (
    <>
      <h1 tabIndex={-1}>Note templates</h1>
      <p role="status" aria-live="polite" className="muted">
        {status}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {editing ? (
        <TemplateEditor
          initial={editing}
          saving={saving}
          onSave={(d) => void save(d)}
          onCancel={() => setEditing(null)}
        />
      ) : (
        <>
          <button type="button" className="primary" onClick={() => setEditing(BLANK)}>
            New template
          </button>
          {!items ? (
            <p role="status">Loading the templates…</p>
          ) : (
            <ul className="card templates">
              {items.map((t) => (
                <li key={t.id}>
                  <span>
                    <strong>{t.name}</strong>{' '}
                    <span className="muted">
                      {SCOPE_LABELS[t.scope]} · version {t.version} ·{' '}
                      {t.sections.map((s) => s.title).join(', ')}
                    </span>
                  </span>{' '}
                  {t.editable && (
                    <button
                      type="button"
                      aria-label={`Edit ${t.name}`}
                      onClick={() => setEditing(draftOf(t, false))}
                    >
                      Edit
                    </button>
                  )}
                  <button
                    type="button"
                    aria-label={`Copy ${t.name}`}
                    onClick={() => setEditing(draftOf(t, true))}
                  >
                    Copy
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  )
}
