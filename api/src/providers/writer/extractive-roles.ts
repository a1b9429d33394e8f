import type { SectionName, SpeakerRole } from '../../contract/names.ts'

// Speaker roles in the extractive writer: the same sentence means different things from
// different mouths. A patient (or the carer speaking for them) reports: their words are history,
// whatever numbers they quote ("my blood pressure at home was 150 over 90"). A clinician's
// description of what they see, hear or measure is a finding, even in words patients also use
// ("the knee is swollen"). Without a role (one speaker, or roles unknown) the scores stand.

export function roleAdjusted(
  scores: Readonly<Record<SectionName, number>>,
  role: SpeakerRole | undefined
): Record<SectionName, number> {
  const out = { ...scores }
  if (role === 'patient' || role === 'other') {
    // What the patient (or a carer) says they measured or were told is still what they report.
    out.subjective += out.objective
    out.objective = 0
  } else if (role === 'clinician' && out.objective > 0 && out.subjective >= out.objective) {
    // Symptom words in the clinician's mouth describe what they examine.
    out.objective += out.subjective
    out.subjective = 0
  }
  return out
}
