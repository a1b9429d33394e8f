import { SECTION_NAMES } from '../contract/names.ts'
import type { Template } from '../contract/names.ts'
import type { TemplateSection } from '../contract/templates.ts'

// The built-in templates, as migration 004_templates seeds them (tests/unit/templates.store.test.ts
// holds the seed rows to these values). They were code before templates were data; their
// sections' instructions are the SOAP lines of the writer's prompt, word for word, so a note
// written with one is the note it always was.

/** A template version as the writers read it. */
export type NoteTemplate = {
  id: string
  /** The built-in templates' names; null for a clinician's own. */
  slug: string | null
  name: string
  version: number
  instruction: string
  sections: TemplateSection[]
}

const soapSections = (maxItems: number | null): TemplateSection[] => [
  {
    key: 'subjective',
    title: 'Subjective',
    instruction:
      'what the patient reports (complaints, history, symptoms, medications taken, concerns).',
    max_items: maxItems,
  },
  {
    key: 'objective',
    title: 'Objective',
    instruction: 'what was measured or observed (vital signs, examination findings, test results).',
    max_items: maxItems,
  },
  {
    key: 'assessment',
    title: 'Assessment',
    instruction: "the clinician's impressions or diagnoses as stated in the consultation.",
    max_items: maxItems,
  },
  {
    key: 'plan',
    title: 'Plan',
    instruction: 'prescriptions, tests, referrals, advice given and follow-up.',
    max_items: maxItems,
  },
]

export const BUILTIN_TEMPLATES: Readonly<Record<Template, NoteTemplate>> = {
  soap: {
    id: '00000000-0000-4000-8000-00000000050a',
    slug: 'soap',
    name: 'SOAP',
    version: 1,
    instruction: 'a complete SOAP note.',
    sections: soapSections(null),
  },
  'soap-brief': {
    id: '00000000-0000-4000-8000-00000000050b',
    slug: 'soap-brief',
    name: 'SOAP, brief',
    version: 1,
    instruction:
      'a brief SOAP note, at most three items per section, keeping only what matters most clinically.',
    sections: soapSections(3),
  },
  'follow-up': {
    id: '00000000-0000-4000-8000-00000000050c',
    slug: 'follow-up',
    name: 'Follow-up',
    version: 1,
    instruction:
      'a follow-up visit. Focus on changes since the last visit, response to treatment, and the next steps.',
    sections: soapSections(null),
  },
}

/** Whether the sections are SOAP's four, in SOAP's order (the soap.v1 note every client knows). */
export const isSoapShaped = (sections: readonly Pick<TemplateSection, 'key'>[]) =>
  sections.length === SECTION_NAMES.length && sections.every((s, i) => s.key === SECTION_NAMES[i])
