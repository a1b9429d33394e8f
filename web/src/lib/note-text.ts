import { SECTION_NAMES } from './types.ts'
import type { Note, Sections } from './types.ts'

export const SECTION_TITLES: Record<(typeof SECTION_NAMES)[number], string> = {
  subjective: 'Subjective',
  objective: 'Objective',
  assessment: 'Assessment',
  plan: 'Plan',
}

/** The note as plain text, for the clipboard (pasted into another record system). */
export function noteToText(note: Pick<Note, 'sections' | 'patient_ref'>): string {
  const parts: string[] = []
  if (note.patient_ref) parts.push(`Patient: ${note.patient_ref}`, '')
  for (const name of SECTION_NAMES) {
    parts.push(SECTION_TITLES[name])
    const items = note.sections[name].items
    parts.push(...(items.length ? items.map((i) => `- ${i.text}`) : ['- (none)']), '')
  }
  return parts.join('\n').trimEnd() + '\n'
}

/** Drops items emptied while editing and trims the rest. */
export function cleanSections(s: Sections): Sections {
  const out = {} as Sections
  for (const name of SECTION_NAMES) {
    out[name] = {
      items: s[name].items
        .map((i) => ({ ...i, text: i.text.trim() }))
        .filter((i) => i.text.length > 0),
    }
  }
  return out
}

/** "1 recording", "2 recordings". */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
