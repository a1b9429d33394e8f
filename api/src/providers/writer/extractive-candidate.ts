// A sentence the extractive writer may place, and the cut to a section's item limit: shared by
// the SOAP placement (extractive.ts) and the custom-template one (extractive-template.ts).
import type { SectionName } from '../../contract/names.ts'
import type { NoteItem } from '../../contract/soap-note.ts'

export type Evidence = NoteItem['evidence'][number]
export type Candidate = { text: string; section: SectionName; score: number; evidence: Evidence[] }

/** The `max` highest-scoring candidates (earlier wins a tie), still in spoken order. */
export function keepStrongest(candidates: Candidate[], max: number): Candidate[] {
  if (candidates.length <= max) return candidates
  const ranked = candidates.map((c, order) => ({ c, order }))
  ranked.sort((a, b) => b.c.score - a.c.score || a.order - b.order)
  const kept = ranked.slice(0, max)
  kept.sort((a, b) => a.order - b.order)
  return kept.map((k) => k.c)
}
