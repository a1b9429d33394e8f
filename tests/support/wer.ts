// Word error rate: (substitutions + deletions + insertions) / reference words, by word-level
// edit distance after the same normalisation on both sides (case, punctuation, hyphens).

export const normaliseWords = (text: string): string[] =>
  text
    .toLowerCase()
    .replace(/[-–—/]/g, ' ')
    .replace(/[^\p{L}\p{N}\s']/gu, '')
    .split(/\s+/)
    .filter(Boolean)

/** Edit distance between two word lists (two rows of the dynamic-programming table). */
export function wordEdits(reference: string[], hypothesis: string[]): number {
  let previous = Array.from({ length: hypothesis.length + 1 }, (_, j) => j)
  for (const [i, ref] of reference.entries()) {
    const row = [i + 1]
    for (const [j, hyp] of hypothesis.entries()) {
      const substitute = (previous[j] ?? 0) + (ref === hyp ? 0 : 1)
      row.push(Math.min(substitute, (previous[j + 1] ?? 0) + 1, (row[j] ?? 0) + 1))
    }
    previous = row
  }
  return previous[hypothesis.length] ?? 0
}

/** WER of a hypothesis against a reference text; 0 for two empty texts. */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const ref = normaliseWords(reference)
  const hyp = normaliseWords(hypothesis)
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1
  return wordEdits(ref, hyp) / ref.length
}
