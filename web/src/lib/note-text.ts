import { SECTION_NAMES } from './types.ts'
import type { Note, Sections } from './types.ts'

export const SECTION_TITLES: Record<(typeof SECTION_NAMES)[number], string> = {
  subjective: 'Subjective',
  objective: 'Objective',
  assessment: 'Assessment',
  plan: 'Plan',
}

export type LayoutEntry = { key: string; title: string }

/** The note's sections in order with their titles; SOAP's four for notes from before templates. */
export function layoutOf(note: Pick<Note, 'layout'>): LayoutEntry[] {
  return note.layout ?? SECTION_NAMES.map((key) => ({ key, title: SECTION_TITLES[key] }))
}

/** The note as plain text, for the clipboard (pasted into another record system). */
export function noteToText(note: Pick<Note, 'sections' | 'patient_ref' | 'layout'>): string {
  const parts: string[] = []
  if (note.patient_ref) parts.push(`Patient: ${note.patient_ref}`, '')
  for (const { key, title } of layoutOf(note)) {
    parts.push(title)
    const items = note.sections[key]?.items ?? []
    parts.push(...(items.length ? items.map((i) => `- ${i.text}`) : ['- (none)']), '')
  }
  return parts.join('\n').trimEnd() + '\n'
}

/** Drops items emptied while editing and trims the rest. */
export function cleanSections(s: Sections): Sections {
  const out: Sections = {}
  for (const [name, section] of Object.entries(s)) {
    out[name] = {
      items: section.items
        .map((i) => ({ ...i, text: i.text.trim() }))
        .filter((i) => i.text.length > 0),
    }
  }
  return out
}

/** "1 recording", "2 recordings". */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
