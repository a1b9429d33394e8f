import type { Speaker } from '../../contract/soap-note.ts'
import type { NoteTemplate } from '../../templates/builtin.ts'
import { isSoapShaped } from '../../templates/builtin.ts'

// The note writer's prompt, versioned: every note records the version that wrote it
// (provenance.prompt_version). Change the text only together with a new version. Since templates
// are data, the prompt is made from the template's sections; for the built-in templates it is
// the v1 prompt word for word (tests/unit/writer-template-prompt.test.ts).

export const SOAP_PROMPT_VERSION = 'soap-prompt.v1'
/** A clinician's template with sections of its own. */
export const TEMPLATE_PROMPT_VERSION = 'template-prompt.v1'
/** Added to either when the speakers' roles are given to the model. */
export const SPEAKER_ROLES_PROMPT_SUFFIX = '+speaker-roles.v1'

const intro = (soap: boolean) =>
  `You are a clinical documentation assistant. You turn the transcript of a consultation between a clinician and a patient into ${soap ? 'a SOAP note' : 'a note with the sections listed below'} for the clinician to review.`

const RULES_BEFORE_SECTIONS = `Rules:
- Use only information stated in the transcript. Never invent findings, values, diagnoses, doses or plans. Do not add advice of your own.
- Every item cites the ids of the utterances it comes from in "utterance_ids" (for example ["u3", "u4"]). Cite only ids that appear in the transcript.
- Keep each item short: one fact, complaint, finding, impression or action per item, in plain clinical language. Keep numbers, units and drug names exactly as spoken.`

const RULES_AFTER_SECTIONS = `- A section with nothing to report has an empty "items" list.
- If the transcript holds no clinical content (silence, small talk, a test recording), answer with status "insufficient_content" and empty sections.
- Put anything the reviewer should double-check (unclear speech, contradictions, a speaker you could not identify) in "warnings", each as one short sentence.
- Write the note in the language requested below, whatever language the transcript is in.

Answer with JSON only, matching the given schema.`

/** One line per section: its title, its key when that is not the title, its instruction. */
function sectionLine(s: NoteTemplate['sections'][number], builtin: boolean): string {
  const key = s.key === s.title.toLowerCase() ? '' : ` ("${s.key}")`
  // The built-in brief template states its limit in its own instruction.
  const limit = s.max_items && !builtin ? ` At most ${s.max_items} items.` : ''
  const what = s.instruction ? `: ${s.instruction}` : ''
  return `- ${s.title}${key}${what}${limit}`
}

export function systemPrompt(template: NoteTemplate): string {
  const soap = isSoapShaped(template.sections)
  const builtin = template.slug !== null
  return [
    intro(soap),
    '',
    RULES_BEFORE_SECTIONS,
    ...template.sections.map((s) => sectionLine(s, builtin)),
    RULES_AFTER_SECTIONS,
  ].join('\n')
}

export const SOAP_SYSTEM_PROMPT_V1 = `You are a clinical documentation assistant. You turn the transcript of a consultation between a clinician and a patient into a SOAP note for the clinician to review.

Rules:
- Use only information stated in the transcript. Never invent findings, values, diagnoses, doses or plans. Do not add advice of your own.
- Every item cites the ids of the utterances it comes from in "utterance_ids" (for example ["u3", "u4"]). Cite only ids that appear in the transcript.
- Keep each item short: one fact, complaint, finding, impression or action per item, in plain clinical language. Keep numbers, units and drug names exactly as spoken.
- Subjective: what the patient reports (complaints, history, symptoms, medications taken, concerns).
- Objective: what was measured or observed (vital signs, examination findings, test results).
- Assessment: the clinician's impressions or diagnoses as stated in the consultation.
- Plan: prescriptions, tests, referrals, advice given and follow-up.
- A section with nothing to report has an empty "items" list.
- If the transcript holds no clinical content (silence, small talk, a test recording), answer with status "insufficient_content" and empty sections.
- Put anything the reviewer should double-check (unclear speech, contradictions, a speaker you could not identify) in "warnings", each as one short sentence.
- Write the note in the language requested below, whatever language the transcript is in.

Answer with JSON only, matching the given schema.`

/** The prompt's version for a template (the built-in prompt is v1 as it always was). */
export function promptVersionOf(template: NoteTemplate, withRoles: boolean): string {
  const base =
    systemPrompt(template) === SOAP_SYSTEM_PROMPT_V1 ? SOAP_PROMPT_VERSION : TEMPLATE_PROMPT_VERSION
  return withRoles ? base + SPEAKER_ROLES_PROMPT_SUFFIX : base
}

/** `Template "soap": a complete SOAP note.`: the first line of the user message. */
export function templateLine(template: NoteTemplate): string {
  const what = template.instruction || 'a note with the sections listed in the rules.'
  return `Template "${template.slug ?? template.name}": ${what}`
}

/** The clinician's own instruction, after the template's. */
export const clinicianInstruction = (text: string) =>
  `Additional instruction from the clinician for this note: ${text.replace(/\s+/g, ' ').trim()}`

/**
 * Who the speakers are, when known: the model reads what the patient reports as Subjective and
 * what the clinician observes as Objective.
 */
export function speakersLine(speakers: readonly Speaker[]): string {
  const who = speakers.map(
    (s) => `${s.id} is ${s.role === 'other' ? 'another person' : `the ${s.role}`}`
  )
  return `Speakers: ${who.join('; ')}. What the patient (or their carer) reports belongs with the history; what the clinician observes, measures or finds belongs with the findings.`
}

/**
 * Added to the user message when a transcript is longer than the writer's budget and is written
 * in parts (the system prompt and template instruction stay as above).
 */
export function sectionInstructionV1(part: number, parts: number, from: string, to: string) {
  return `This transcript is part ${part} of ${parts} of one long consultation (${from} to ${to}). Write the note of this part only, citing only its utterances: the parts' notes are merged afterwards.`
}
