import type { SpeakerRole } from '../contract/names.ts'
import type { Speaker, Utterance } from '../contract/soap-note.ts'
import type { Transcript } from '../providers/types.ts'

// Who is who among the diarized speakers, guessed from how people talk in a consultation:
// the clinician asks the questions and usually speaks first; the patient talks about
// themselves ("I", "my"); anyone else (a carer, an interpreter, someone in the waiting room) is
// "other". A guess, made only when someone asked a question: the note shows it, and the clinician's tap corrects it (source "clinician").

const FIRST_PERSON = /\b(?:i|i'm|i've|i'd|i'll|me|my|myself)\b/gi

type Tally = {
  id: string
  order: number
  utterances: number
  questions: number
  self: number
  words: number
}

function tally(utterances: readonly Utterance[]): Tally[] {
  const by = new Map<string, Tally>()
  for (const u of utterances) {
    let t = by.get(u.speaker)
    if (!t) {
      t = { id: u.speaker, order: by.size, utterances: 0, questions: 0, self: 0, words: 0 }
      by.set(u.speaker, t)
    }
    const text = u.text.replace(/[\u2018\u2019]/g, "'")
    t.utterances += 1
    t.questions += (text.match(/\?/g) ?? []).length
    t.self += (text.match(FIRST_PERSON) ?? []).length
    t.words += text.split(/\s+/).filter(Boolean).length
  }
  return [...by.values()]
}

/** The roles of a transcript's speakers; none when fewer than two speak (nothing to tell apart). */
export function guessSpeakerRoles(utterances: readonly Utterance[]): Speaker[] {
  const speakers = tally(utterances)
  if (speakers.length < 2) return []
  // The share of a speaker's utterances that ask something, and half a question's worth for
  // having opened the consultation (a greeting is often not a question).
  const asks = (t: Tally) => t.questions / t.utterances + (t.order === 0 ? 0.5 : 0)
  const clinician = speakers.reduce((a, b) => (asks(b) > asks(a) ? b : a))
  // Without a single question, the guess would rest on who spoke first alone: too weak to
  // steer a note by. The clinician's tap can still set the roles.
  if (clinician.questions === 0) return []
  const rest = speakers.filter((t) => t !== clinician)
  const patient = rest.reduce((a, b) =>
    b.self > a.self || (b.self === a.self && b.words > a.words) ? b : a
  )
  const role = (t: Tally): SpeakerRole =>
    t === clinician ? 'clinician' : t === patient ? 'patient' : 'other'
  return speakers.map((t) => ({ id: t.id, role: role(t), source: 'heuristic' as const }))
}

/** The transcript with its speakers' roles: the ones it carries (corrected), or a guess. */
export function withSpeakerRoles(t: Transcript): Transcript {
  if (t.speakers && t.speakers.length > 0) return t
  const speakers = guessSpeakerRoles(t.utterances)
  return speakers.length > 0 ? { ...t, speakers } : t
}

/**
 * The clinician's corrections applied: each named speaker takes the role given, marked as the
 * clinician's; the others keep theirs. An id that is not a speaker of the transcript is an error.
 */
export function correctSpeakerRoles(
  utterances: readonly Utterance[],
  current: readonly Speaker[] | undefined,
  roles: Readonly<Record<string, SpeakerRole>>
): Speaker[] | { unknown: string[] } {
  const ids = [...new Set(utterances.map((u) => u.speaker))]
  const unknown = Object.keys(roles).filter((id) => !ids.includes(id))
  if (unknown.length > 0) return { unknown }
  const base = new Map((current ?? guessSpeakerRoles(utterances)).map((s) => [s.id, s]))
  return ids.map((id) => {
    const set = roles[id]
    if (set) return { id, role: set, source: 'clinician' as const }
    return base.get(id) ?? { id, role: 'other' as const, source: 'heuristic' as const }
  })
}
