import { act, fireEvent, render, screen, within } from '@testing-library/react'
import axe from 'axe-core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { auth } from '../lib/auth.ts'
import type { NoteTemplate } from '../lib/types.ts'
import TemplatesScreen from './TemplatesScreen.tsx'
import { keyFromTitle } from './TemplateEditor.tsx'

const SOAP: NoteTemplate = {
  id: '00000000-0000-4000-8000-00000000050a',
  slug: 'soap',
  name: 'SOAP',
  scope: 'builtin',
  version: 1,
  instruction: 'a complete SOAP note.',
  sections: [
    {
      key: 'subjective',
      title: 'Subjective',
      instruction: 'what the patient reports',
      max_items: null,
    },
    { key: 'plan', title: 'Plan', instruction: 'what happens next', max_items: null },
  ],
  editable: false,
  created_at: '2026-12-01T06:00:00.000Z',
  updated_at: '2026-12-01T06:00:00.000Z',
}
const MINE: NoteTemplate = {
  ...SOAP,
  id: '6f1c1f6e-2b1e-4a56-9a43-0d3b8a7c1e01',
  slug: null,
  name: 'Medication review',
  scope: 'personal',
  version: 2,
  instruction: '',
  sections: [{ key: 'medications', title: 'Medications', instruction: '', max_items: 5 }],
  editable: true,
}

type Call = { url: string; init: RequestInit }
let calls: Call[] = []
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

function serve(answer: (c: Call) => Response | undefined) {
  calls = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const c = { url, init }
      calls.push(c)
      return answer(c) ?? json({ items: [SOAP, MINE] })
    })
  )
}
const sent = (method: string) => {
  const c = calls.find((x) => x.init.method === method)!
  return { url: c.url, body: JSON.parse(String(c.init.body)) }
}

/** axe-core's WCAG A/AA rules on what is rendered (colour contrast needs a real browser). */
async function violations(container: HTMLElement) {
  const result = await axe.run(container, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    rules: { 'color-contrast': { enabled: false } },
  })
  return result.violations.map((v) => `${v.id}: ${v.help}`)
}

beforeEach(() => auth.signIn('test-token', 3600, 'dr@example.org'))
afterEach(() => {
  vi.unstubAllGlobals()
  auth.signOut()
})

describe('TemplatesScreen', () => {
  it('has an audit that can fail (an unlabelled field is a violation)', async () => {
    const { container } = render(<input type="text" />)
    expect((await violations(container)).join()).toMatch(/^label:/)
  })

  it('lists the templates, with Edit only where the user may make a new version', async () => {
    serve(() => undefined)
    const { container } = render(<TemplatesScreen />)
    expect(await screen.findByText('Medication review')).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Edit SOAP' })).toBeNull()
    expect(screen.getByRole('button', { name: 'Copy SOAP' })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Edit Medication review' })).toBeTruthy()
    expect(await violations(container)).toEqual([])
  })

  it('creates a template with sections in the order arranged, and is axe-clean while editing', async () => {
    serve((c) =>
      c.init.method === 'POST' ? json({ ...MINE, name: 'Cardiology' }, 201) : undefined
    )
    const { container } = render(<TemplatesScreen />)
    fireEvent.click(await screen.findByRole('button', { name: 'New template' }))
    const form = screen.getByRole('form', { name: 'New template' })
    fireEvent.change(within(form).getByLabelText('Template name'), {
      target: { value: 'Cardiology' },
    })
    fireEvent.change(within(form).getByLabelText('Instruction for the writer (optional)'), {
      target: { value: 'for the cardiology clinic letter' },
    })
    fireEvent.change(within(form).getByLabelText('Section 1 title'), {
      target: { value: 'History' },
    })
    fireEvent.click(within(form).getByRole('button', { name: 'Add section' }))
    fireEvent.change(within(form).getByLabelText('Section 2 title'), {
      target: { value: 'Current medications' },
    })
    fireEvent.change(within(form).getByLabelText('Section 2 instruction'), {
      target: { value: 'medications with dose, route and frequency' },
    })
    fireEvent.change(within(form).getByLabelText('Section 2 most items (optional)'), {
      target: { value: '8' },
    })
    fireEvent.click(within(form).getByRole('button', { name: 'Move Current medications up' }))
    expect(await violations(container)).toEqual([])
    await act(async () => {
      fireEvent.click(within(form).getByRole('button', { name: 'Create template' }))
    })
    const post = sent('POST')
    expect(post.url).toBe('/api/templates')
    expect(post.body).toEqual({
      name: 'Cardiology',
      scope: 'personal',
      instruction: 'for the cardiology clinic letter',
      sections: [
        {
          key: 'current_medications',
          title: 'Current medications',
          instruction: 'medications with dose, route and frequency',
          max_items: 8,
        },
        { key: 'history', title: 'History', instruction: '', max_items: null },
      ],
    })
    expect(await screen.findByText('Saved “Cardiology”, version 2')).toBeTruthy()
  })

  it('saves an edit as a new version of the same template, keeping the section keys', async () => {
    serve((c) => (c.init.method === 'PUT' ? json({ ...MINE, version: 3 }) : undefined))
    render(<TemplatesScreen />)
    fireEvent.click(await screen.findByRole('button', { name: 'Edit Medication review' }))
    fireEvent.change(screen.getByLabelText('Section 1 title'), { target: { value: 'Drugs' } })
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save as new version' }))
    })
    const put = sent('PUT')
    expect(put.url).toBe(`/api/templates/${MINE.id}`)
    expect(put.body.sections).toEqual([
      { key: 'medications', title: 'Drugs', instruction: '', max_items: 5 },
    ])
  })

  it('shows the server’s refusal and keeps the form', async () => {
    serve((c) =>
      c.init.method === 'POST'
        ? json({ error: { code: 'FORBIDDEN', message: 'only an administrator may' } }, 403)
        : undefined
    )
    render(<TemplatesScreen />)
    fireEvent.click(await screen.findByRole('button', { name: 'Copy SOAP' }))
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Create template' }))
    })
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /Not saved: only an administrator/
    )
    expect((screen.getByLabelText('Template name') as HTMLInputElement).value).toBe(
      'SOAP (my copy)'
    )
  })

  it('makes keys the API accepts from titles', () => {
    expect(keyFromTitle('Medications (current)')).toBe('medications_current')
    expect(keyFromTitle('1. Plan')).toBe('plan')
    expect(keyFromTitle('???')).toBe('section')
  })
})
