import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { SECTION_NAMES, TEMPLATES } from '../../api/src/contract/names.ts'
import { UtteranceSchema } from '../../api/src/contract/soap-note.ts'
import type { Transcript, WriterInput } from '../../api/src/providers/types.ts'
import { BUILTIN_TEMPLATES } from '../../api/src/templates/builtin.ts'
import { withSpeakerRoles } from '../../api/src/notes/speaker-roles.ts'

// The evaluation set: one synthetic consultation per JSON file in consultations/ (written for
// this set, no real patients). Each holds a soap.v1 transcript and the facts that must land in
// each SOAP section; a consultation too thin for a note says `"expect": "insufficient_content"`.

export const CONSULTATIONS_DIR = path.join(import.meta.dirname, 'consultations')

export const FactSchema = z.strictObject({
  section: z.enum(SECTION_NAMES),
  /** What a clinician would want to read, for the report. */
  fact: z.string().min(1),
  /** Every term must occur (case-insensitive) in one item for the fact to count as written there. */
  match: z.array(z.string().min(1)).min(1),
})
export type Fact = z.infer<typeof FactSchema>

export const ConsultationSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/),
    specialty: z.string().min(1),
    description: z.string().min(1),
    /**
     * `tuning`: consultations whose misses the extractive writer's cues were revised against;
     * `held-out`: written after that revision and never used to change a writer, so their
     * figure says how the writer does on consultations it was not shaped by.
     */
    split: z.enum(['tuning', 'held-out']).default('tuning'),
    synthetic: z.literal(true),
    language: z.string().min(1),
    template: z.enum(TEMPLATES),
    duration_s: z.number().positive(),
    expect: z.enum(['note', 'insufficient_content']).default('note'),
    utterances: z.array(UtteranceSchema),
    facts: z.array(FactSchema),
  })
  .superRefine((c, ctx) => {
    if (c.expect === 'insufficient_content' && c.facts.length > 0) {
      ctx.addIssue({ code: 'custom', message: 'a consultation without a note has no facts' })
    }
    if (c.expect === 'note' && c.facts.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'a consultation with a note needs facts' })
    }
    // A fact the transcript never says could never be placed: that is a typo in the set.
    const spoken = c.utterances.map((u) => u.text.toLowerCase()).join('\n')
    for (const f of c.facts) {
      for (const term of f.match) {
        if (!spoken.includes(term.toLowerCase())) {
          ctx.addIssue({ code: 'custom', message: `match term "${term}" is never said` })
        }
      }
    }
  })
export type Consultation = z.infer<typeof ConsultationSchema>

/** Every consultation in `dir`, in file-name order; a malformed file stops with its name. */
export function loadConsultations(dir = CONSULTATIONS_DIR): Consultation[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
  return files.map((file) => {
    const parsed = ConsultationSchema.safeParse(
      JSON.parse(readFileSync(path.join(dir, file), 'utf8'))
    )
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new Error(`${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`)
    }
    if (`${parsed.data.id}.json` !== file) throw new Error(`${file}: id is ${parsed.data.id}`)
    return parsed.data
  })
}

/** What a writer is given for one consultation, as the job runner would give it. */
export function writerInput(c: Consultation): WriterInput {
  const transcript: Transcript = {
    utterances: c.utterances,
    language: c.language,
    duration_s: c.duration_s,
    provider: 'eval',
    model: 'synthetic',
  }
  // As the job runner gives it: the built-in template of its name, speakers' roles guessed.
  return {
    transcript: withSpeakerRoles(transcript),
    template: BUILTIN_TEMPLATES[c.template],
    language: c.language,
  }
}
