import { SECTION_NAMES } from '../../api/src/contract/names.ts'
import type { SectionName } from '../../api/src/contract/names.ts'
import type { NoteWriter, WriterOutput } from '../../api/src/providers/types.ts'
import type { Consultation, Fact } from './consultations.ts'
import { writerInput } from './consultations.ts'

// The matching rule. A fact is "placed" when an item of its own section contains every one of
// its match terms (case-insensitive substring); "misplaced" when no item of its section does
// but an item of another section does; "missed" otherwise. Per section S:
//   recall    = facts of S placed in S / facts of S
//   precision = facts of S placed in S / facts (of any section) that some item of S matches
// so a fact written in the wrong section, or in two sections, costs the section it landed in.
// A consultation marked `insufficient_content` passes only when the writer wrote no note; a
// consultation with facts whose note came back `insufficient_content` misses all its facts.

export type Outcome = 'placed' | 'misplaced' | 'missed'
export type FactResult = { fact: Fact; outcome: Outcome; foundIn: SectionName[] }

export type ConsultationScore = {
  id: string
  specialty: string
  split: Consultation['split']
  expect: Consultation['expect']
  status: WriterOutput['status']
  /** Set when the consultation failed as a whole (a note from silence, no note from speech). */
  failure?: string
  facts: FactResult[]
  items: number
  itemsWithEvidence: number
  /** Evidence pointers, and those naming an utterance of the transcript with its times. */
  pointers: number
  validPointers: number
  /** Items that match no fact of the consultation: small talk or detail the set does not list. */
  unmatchedItems: number
}

const matches = (text: string, fact: Fact) => {
  const lower = text.toLowerCase()
  return fact.match.every((term) => lower.includes(term.toLowerCase()))
}

export function scoreNote(c: Consultation, out: WriterOutput): ConsultationScore {
  const written = out.status === 'ok'
  const sections = SECTION_NAMES.map((name) => ({
    name,
    items: written ? out.sections[name]!.items : [],
  }))
  const facts = c.facts.map((fact): FactResult => {
    const foundIn = sections
      .filter((s) => s.items.some((i) => matches(i.text, fact)))
      .map((s) => s.name)
    const outcome = foundIn.includes(fact.section)
      ? 'placed'
      : foundIn.length > 0
        ? 'misplaced'
        : 'missed'
    return { fact, outcome, foundIn }
  })
  const items = sections.flatMap((s) => s.items)
  const byId = new Map(c.utterances.map((u) => [u.id, u]))
  const pointers = items.flatMap((i) => i.evidence)
  const validPointers = pointers.filter((e) => {
    const u = byId.get(e.utterance_id)
    return u !== undefined && e.start === u.start && e.end === u.end
  }).length
  let failure: string | undefined
  if (c.expect === 'insufficient_content' && written)
    failure = 'wrote a note from a recording without enough speech'
  if (c.expect === 'note' && !written) failure = `no note: ${out.warnings.join('; ')}`
  return {
    id: c.id,
    specialty: c.specialty,
    split: c.split,
    expect: c.expect,
    status: out.status,
    ...(failure ? { failure } : {}),
    facts,
    items: items.length,
    itemsWithEvidence: items.filter((i) => i.evidence.length > 0).length,
    pointers: pointers.length,
    validPointers,
    unmatchedItems: items.filter((i) => !c.facts.some((f) => matches(i.text, f))).length,
  }
}

export type SectionFigures = {
  facts: number
  placed: number
  landed: number
  recall: number
  precision: number
}

export type Evaluation = {
  writer: string
  consultations: ConsultationScore[]
  sections: Record<SectionName, SectionFigures>
  facts: number
  placed: number
  misplaced: number
  missed: number
  /** placed / facts: the "% of facts in the right section". */
  placedShare: number
  items: number
  /** Items matching no fact: small talk, or detail the set does not list (not scored). */
  unmatchedItems: number
  pointers: number
  evidenceCoverage: number
  validEvidenceShare: number
  /** Consultations that must give no note, and how many of them wrongly got one. */
  silent: number
  notesFromSilence: number
  failures: number
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b)

export function summarise(writer: string, consultations: ConsultationScore[]): Evaluation {
  const all = consultations.flatMap((c) => c.facts)
  const sections = Object.fromEntries(
    SECTION_NAMES.map((name) => {
      const facts = all.filter((f) => f.fact.section === name).length
      const placed = all.filter((f) => f.fact.section === name && f.outcome === 'placed').length
      const landed = all.filter((f) => f.foundIn.includes(name)).length
      return [
        name,
        { facts, placed, landed, recall: ratio(placed, facts), precision: ratio(placed, landed) },
      ]
    })
  ) as Record<SectionName, SectionFigures>
  const count = (o: Outcome) => all.filter((f) => f.outcome === o).length
  const sum = (
    k: 'items' | 'itemsWithEvidence' | 'pointers' | 'validPointers' | 'unmatchedItems'
  ) => consultations.reduce((n, c) => n + c[k], 0)
  const silent = consultations.filter((c) => c.expect === 'insufficient_content')
  return {
    writer,
    consultations,
    sections,
    facts: all.length,
    placed: count('placed'),
    misplaced: count('misplaced'),
    missed: count('missed'),
    placedShare: ratio(count('placed'), all.length),
    items: sum('items'),
    unmatchedItems: sum('unmatchedItems'),
    pointers: sum('pointers'),
    evidenceCoverage: ratio(sum('itemsWithEvidence'), sum('items')),
    validEvidenceShare: ratio(sum('validPointers'), sum('pointers')),
    silent: silent.length,
    notesFromSilence: silent.filter((c) => c.status === 'ok').length,
    failures: consultations.filter((c) => c.failure !== undefined).length,
  }
}

/** Runs `writer` over every consultation, one after the other, and scores the notes. */
export async function evaluateWriter(
  writer: NoteWriter,
  set: readonly Consultation[]
): Promise<Evaluation> {
  const scores: ConsultationScore[] = []
  for (const c of set) {
    let out: WriterOutput
    try {
      out = await writer.write(writerInput(c))
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      throw new Error(`${writer.name} writer failed on ${c.id}: ${why}`, { cause: err })
    }
    scores.push(scoreNote(c, out))
  }
  return summarise(`${writer.name} (${writer.model})`, scores)
}
