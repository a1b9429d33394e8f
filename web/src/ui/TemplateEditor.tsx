import { useId, useState } from 'react'
import type { TemplateInput } from '../lib/types.ts'

export type SectionDraft = { key: string; title: string; instruction: string; maxItems: string }
export type TemplateDraft = {
  id?: string
  name: string
  instruction: string
  scope: 'personal' | 'clinic'
  sections: SectionDraft[]
}

/** A key the API accepts, made from a title: "Medications (current)" → "medications_current". */
export const keyFromTitle = (title: string) =>
  (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^[^a-z]+|_+$/g, '')
      .slice(0, 40) || 'section'
  ).replace(/_+$/, '')

/** The draft as the API takes it; keys made unique in order. */
export function toInput(d: TemplateDraft): TemplateInput {
  const used = new Set<string>()
  return {
    name: d.name.trim(),
    scope: d.scope,
    instruction: d.instruction.trim(),
    sections: d.sections.map((s) => {
      let key = s.key || keyFromTitle(s.title)
      for (let n = 2; used.has(key); n++) key = `${keyFromTitle(s.title).slice(0, 36)}_${n}`
      used.add(key)
      const max = Number(s.maxItems)
      return {
        key,
        title: s.title.trim(),
        instruction: s.instruction.trim(),
        max_items: s.maxItems.trim() && max > 0 ? Math.floor(max) : null,
      }
    }),
  }
}

/**
 * The form of one template: its name, its instruction for the writer, and its sections in
 * order (title, instruction, optional item limit), each movable up and down.
 */
export function TemplateEditor({
  initial,
  saving,
  onSave,
  onCancel,
}: {
  initial: TemplateDraft
  saving: boolean
  onSave: (d: TemplateDraft) => void
  onCancel: () => void
}) {
  const [d, setD] = useState(initial)
  const id = useId()
  const setSection = (i: number, s: Partial<SectionDraft>) =>
    setD({ ...d, sections: d.sections.map((x, k) => (k === i ? { ...x, ...s } : x)) })
  const move = (i: number, by: -1 | 1) => {
    const sections = [...d.sections]
    const [s] = sections.splice(i, 1)
    sections.splice(i + by, 0, s!)
    setD({ ...d, sections })
  }

  return (
    <form
      className="card stack"
      aria-label={d.id ? `Edit ${initial.name}` : 'New template'}
      onSubmit={(e) => {
        e.preventDefault()
        onSave(d)
      }}
    >
      <label htmlFor={`${id}-name`}>Template name</label>
      <input
        id={`${id}-name`}
        required
        maxLength={80}
        value={d.name}
        onChange={(e) => setD({ ...d, name: e.target.value })}
      />
      <label htmlFor={`${id}-instruction`}>Instruction for the writer (optional)</label>
      <textarea
        id={`${id}-instruction`}
        rows={2}
        maxLength={2000}
        value={d.instruction}
        onChange={(e) => setD({ ...d, instruction: e.target.value })}
      />
      {d.sections.map((s, i) => {
        const n = i + 1
        const name = s.title.trim() || `Section ${n}`
        return (
          <fieldset key={i} className="section">
            <legend>
              Section {n}: {name}
            </legend>
            <label htmlFor={`${id}-title-${i}`}>Section {n} title</label>
            <input
              id={`${id}-title-${i}`}
              required
              maxLength={80}
              value={s.title}
              onChange={(e) => setSection(i, { title: e.target.value })}
            />
            <label htmlFor={`${id}-sinstr-${i}`}>Section {n} instruction</label>
            <textarea
              id={`${id}-sinstr-${i}`}
              rows={2}
              maxLength={500}
              placeholder="for example: medications with dose, route and frequency"
              value={s.instruction}
              onChange={(e) => setSection(i, { instruction: e.target.value })}
            />
            <label htmlFor={`${id}-max-${i}`}>Section {n} most items (optional)</label>
            <input
              id={`${id}-max-${i}`}
              type="number"
              inputMode="numeric"
              min={1}
              max={50}
              value={s.maxItems}
              onChange={(e) => setSection(i, { maxItems: e.target.value })}
            />
            <div className="controls">
              <button
                type="button"
                disabled={i === 0}
                aria-label={`Move ${name} up`}
                onClick={() => move(i, -1)}
              >
                Up
              </button>
              <button
                type="button"
                disabled={i === d.sections.length - 1}
                aria-label={`Move ${name} down`}
                onClick={() => move(i, 1)}
              >
                Down
              </button>
              <button
                type="button"
                disabled={d.sections.length === 1}
                aria-label={`Remove ${name}`}
                onClick={() => setD({ ...d, sections: d.sections.filter((_, k) => k !== i) })}
              >
                Remove
              </button>
            </div>
          </fieldset>
        )
      })}
      <button
        type="button"
        disabled={d.sections.length >= 20}
        onClick={() =>
          setD({
            ...d,
            sections: [...d.sections, { key: '', title: '', instruction: '', maxItems: '' }],
          })
        }
      >
        Add section
      </button>
      <div className="controls">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : d.id ? 'Save as new version' : 'Create template'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
