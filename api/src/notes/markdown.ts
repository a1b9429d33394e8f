import type { SoapNote } from '../contract/soap-note.ts'
import { layoutOf } from './layout.ts'

const fmt = (s: number) => {
  const m = Math.floor(s / 60)
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`
}

/** The note as a clinician pastes it into a record: sections, items, and where each came from. */
export function renderMarkdown(
  note: SoapNote,
  meta: { patient_ref?: string | null; version?: number } = {}
): string {
  const lines: string[] = [isSoap(note) ? '# SOAP note' : `# ${note.template}`, '']
  if (meta.patient_ref) lines.push(`Patient: ${meta.patient_ref}  `)
  lines.push(`Created: ${note.provenance.created_at}  `)
  if (meta.version) lines.push(`Version: ${meta.version}  `)
  lines.push(
    `Speech-to-text: ${note.provenance.stt_provider} (${note.provenance.stt_model}); writer: ${note.provenance.writer} (${note.provenance.writer_model}, ${note.provenance.prompt_version})`,
    ''
  )
  if (note.status === 'insufficient_content') {
    lines.push('> The recording held too little speech to write a note.', '')
  }
  for (const { key, title } of layoutOf(note)) {
    lines.push(`## ${title}`, '')
    const items = note.sections[key]?.items ?? []
    if (items.length === 0) lines.push('_Nothing recorded._')
    for (const item of items) {
      const at = item.evidence[0] ? ` _(${fmt(item.evidence[0].start)})_` : ''
      lines.push(`- ${item.text}${at}`)
    }
    lines.push('')
  }
  if (note.warnings.length > 0) {
    lines.push('## Warnings', '', ...note.warnings.map((w) => `- ${w}`), '')
  }
  return lines.join('\n')
}

const isSoap = (note: SoapNote) =>
  layoutOf(note)
    .map((l) => l.key)
    .join() === 'subjective,objective,assessment,plan'
