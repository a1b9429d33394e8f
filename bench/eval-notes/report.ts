import { SECTION_NAMES } from '../../api/src/contract/names.ts'
import type { ConsultationScore, Evaluation } from './score.ts'

// The evaluation as plain-text tables, one writer at a time.

const pct = (x: number) => `${(x * 100).toFixed(1)} %`
const row = (cells: string[], widths: number[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')

/** A consultation's share of facts placed; a failure of the whole consultation ranks below 0. */
export function consultationShare(c: ConsultationScore): number {
  if (c.failure) return -1
  if (c.facts.length === 0) return 1
  return c.facts.filter((f) => f.outcome === 'placed').length / c.facts.length
}

export function formatEvaluation(e: Evaluation, worst = 5): string {
  const lines: string[] = [`Writer: ${e.writer}`, '']
  const widths = [12, 7, 8, 10, 10, 10]
  lines.push(row(['section', 'facts', 'placed', 'landed', 'precision', 'recall'], widths))
  for (const name of SECTION_NAMES) {
    const s = e.sections[name]
    lines.push(
      row(
        [
          name,
          `${s.facts}`,
          `${s.placed}`,
          `${s.landed}`,
          s.landed === 0 ? '-' : pct(s.precision),
          pct(s.recall),
        ],
        widths
      )
    )
  }
  lines.push(
    '',
    `facts in the right section: ${e.placed}/${e.facts} = ${pct(e.placedShare)}` +
      ` (misplaced ${e.misplaced}, missed ${e.missed})`,
    ...splitLines(e),
    `evidence: ${pct(e.evidenceCoverage)} of ${e.items} items have >= 1 pointer; ` +
      `${pct(e.validEvidenceShare)} of ${e.pointers} pointers name an utterance of the transcript with its times`,
    `items matching no listed fact (small talk or unlisted detail, not scored): ${e.unmatchedItems} of ${e.items}`,
    `silent or near-silent recordings: ${e.silent}, notes written from them: ${e.notesFromSilence}`,
    `consultations failed as a whole: ${e.failures} of ${e.consultations.length}`,
    ''
  )
  const ranked = [...e.consultations]
    .filter((c) => consultationShare(c) < 1)
    .sort((a, b) => consultationShare(a) - consultationShare(b))
  if (ranked.length === 0) lines.push('every consultation: all facts in the right section')
  const shown = ranked.slice(0, worst)
  if (shown.length === 0) return lines.join('\n')
  lines.push(`worst consultations (of ${e.consultations.length}):`)
  for (const c of shown) {
    const placed = c.facts.filter((f) => f.outcome === 'placed').length
    lines.push(
      `  ${c.id} [${c.specialty}] ${placed}/${c.facts.length} placed, ${c.unmatchedItems} unlisted items`
    )
    if (c.failure) lines.push(`    FAILED: ${c.failure}`)
    for (const f of c.facts.filter((x) => x.outcome !== 'placed')) {
      const where = f.outcome === 'misplaced' ? `in ${f.foundIn.join(', ')}` : 'not written'
      lines.push(`    ${f.outcome}: ${f.fact.section} "${f.fact.fact}" ${where}`)
    }
  }
  return lines.join('\n')
}

/** The right-section share per split, when the set has more than one. */
function splitLines(e: Evaluation): string[] {
  const splits = [...new Set(e.consultations.map((c) => c.split))]
  if (splits.length < 2) return []
  return splits.map((split) => {
    const facts = e.consultations.filter((c) => c.split === split).flatMap((c) => c.facts)
    const placed = facts.filter((f) => f.outcome === 'placed').length
    return `  ${split}: ${placed}/${facts.length} = ${pct(facts.length === 0 ? 1 : placed / facts.length)}`
  })
}
