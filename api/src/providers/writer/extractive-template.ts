import { SECTION_NAMES } from '../../contract/names.ts'
import type { SectionName } from '../../contract/names.ts'
import type { Sections } from '../../contract/soap-note.ts'
import type { TemplateSection } from '../../contract/templates.ts'
import { emptySections } from '../../notes/sections.ts'
import type { Candidate } from './extractive-candidate.ts'
import { keepStrongest } from './extractive-candidate.ts'

// The extractive writer on a clinician's own sections. It still only knows SOAP: every sentence
// is first sectioned as S, O, A or P (extractive.ts). A custom section then takes
//  1. the sentences that speak of its topic: its title's and instruction's own words, and for a
//     few common topics (medications, allergies, vital signs, family or social history,
//     follow-up) the words a consultation uses for them;
//  2. and the sentences of the SOAP section it stands for, read from its title and instruction
//     ("History of presenting complaint" stands for subjective), which also settles a close call;
// and what fits no section is left out and named in the warnings.

/** The SOAP section a custom section stands for, by words of its title or instruction. */
const HOMES: readonly [SectionName, RegExp][] = [
  ['subjective', /\b(subjective|histor|complain|symptom|present|report|concern|hpi)/i],
  ['objective', /\b(objective|exam|observ|finding|vital|measure|result|investigation)/i],
  ['assessment', /\b(assessment|impression|diagnos|problem|differential|formulation)/i],
  ['plan', /\b(plan|management|treatment|prescri|follow|referr|advice|next step|action)/i],
]

/** Topics a section's words name, and how a consultation speaks of them. */
const TOPICS: readonly { when: RegExp; cues: RegExp }[] = [
  {
    when: /\b(medication|medicine|drug|prescription)/i,
    // A dose or how often: a drug named in passing ("a new tablet") is not a medication entry.
    cues: /\b\d+(?:\.\d+)?\s?(?:mg|mcg|micrograms?|milligrams?|ml|units?|puffs?)\b|\b(?:once daily|twice daily|once a day|twice a day|three times a day|as needed)\b/i,
  },
  { when: /\ballerg/i, cues: /\ballerg/i },
  {
    when: /\b(vital|observations)/i,
    cues: /\b(?:blood pressure|heart rate|pulse|temperature|saturation|sats|respiratory rate|bpm|mmhg)\b/i,
  },
  {
    when: /\bfamily\b/i,
    cues: /\b(?:family history|(?:my|his|her) (?:mother|father|mum|dad|brother|sister))\b/i,
  },
  {
    when: /\b(social|lifestyle)/i,
    cues: /\b(?:smok\w*|alcohol|drink\w*|exercise|lives? (?:alone|with))\b/i,
  },
  {
    when: /\b(follow|review|safety.?net)/i,
    cues: /\b(?:follow.?up|come back|review|if (?:it|you|things) \w+ worse)\b/i,
  },
]

const STOPWORDS = new Set(
  'about above after again against also because before being below between both could during each from further have having into itself more most other over same should some such than that their them then there these they this those through under until very what when where which while with would your with dose route frequency include including given note section items item patient clinician'.split(
    ' '
  )
)

/** The section's own words (5+ letters), as word-prefix patterns ("medications" ~ "medication"). */
function ownWords(s: TemplateSection): RegExp[] {
  const words = `${s.title} ${s.instruction}`.toLowerCase().match(/[a-z]{5,}/g) ?? []
  return [...new Set(words)]
    .filter((w) => !STOPWORDS.has(w))
    .map((w) => new RegExp(`\\b${w.slice(0, Math.max(5, w.length - 2))}`, 'i'))
}

type Profile = {
  section: TemplateSection
  home: SectionName | null
  topics: RegExp[]
  words: RegExp[]
}

function profile(s: TemplateSection): Profile {
  const text = `${s.title} ${s.instruction}`
  const titleHome = HOMES.find(([, re]) => re.test(s.title))
  const home = (SECTION_NAMES as readonly string[]).includes(s.key)
    ? (s.key as SectionName)
    : ((titleHome ?? HOMES.find(([, re]) => re.test(s.instruction)))?.[0] ?? null)
  return {
    section: s,
    home,
    topics: TOPICS.filter((t) => t.when.test(text)).map((t) => t.cues),
    words: ownWords(s),
  }
}

/**
 * Topic cues count double: they are what the section is about, not just words it uses; the
 * section standing for the sentence's SOAP section gets one more, so it wins a close call.
 */
const topicScore = (p: Profile, c: Candidate) =>
  p.topics.filter((re) => re.test(c.text)).length * 2 +
  p.words.filter((re) => re.test(c.text)).length +
  (p.home === c.section ? 1 : 0)

export function placeOnTemplate(
  candidates: readonly Candidate[],
  sections: readonly TemplateSection[]
): { sections: Sections; warnings: string[] } {
  const profiles = sections.map(profile)
  const chosen = new Map<string, Candidate[]>(sections.map((s) => [s.key, []]))
  const left: Candidate[] = []
  for (const c of candidates) {
    let best: Profile | undefined
    let bestScore = 0
    for (const p of profiles) {
      const score = topicScore(p, c)
      if (score > bestScore) [best, bestScore] = [p, score]
    }
    if (best) chosen.get(best.section.key)!.push(c)
    else left.push(c)
  }
  const out = emptySections(sections.map((s) => s.key))
  const warnings: string[] = []
  for (const s of sections) {
    let items = chosen.get(s.key)!
    if (s.max_items) items = keepStrongest(items, s.max_items)
    out[s.key] = { items: items.map((c) => ({ text: c.text, evidence: c.evidence })) }
    if (items.length === 0) warnings.push(`nothing was found for "${s.title}"`)
  }
  for (const name of SECTION_NAMES) {
    const missed = left.filter((c) => c.section === name)
    if (missed.length === 0) continue
    const first = missed[0]!.text
    warnings.push(
      `${missed.length} ${name} statement(s) fit none of this template's sections and were left out (the first: "${first}")`
    )
  }
  return { sections: out, warnings }
}
