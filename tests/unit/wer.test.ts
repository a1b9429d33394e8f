import { describe, expect, it } from 'vitest'
import { normaliseWords, wordEdits, wordErrorRate } from '../support/wer.ts'

describe('word error rate', () => {
  it('should ignore case, punctuation and hyphens', () => {
    expect(normaliseWords('Chest-pain, for THREE days.')).toEqual([
      'chest',
      'pain',
      'for',
      'three',
      'days',
    ])
    expect(wordErrorRate('Chest pain for three days.', 'chest-pain for three days')).toBe(0)
  })

  it('should count substitutions, deletions and insertions', () => {
    expect(wordEdits(['a', 'b', 'c'], ['a', 'x', 'c'])).toBe(1)
    expect(wordEdits(['a', 'b', 'c'], ['a', 'c'])).toBe(1)
    expect(wordEdits(['a', 'b', 'c'], ['a', 'b', 'c', 'd', 'e'])).toBe(2)
    expect(wordErrorRate('the patient reports chest pain', 'a patient report chest')).toBeCloseTo(
      3 / 5
    )
  })

  it('should be 1 for words heard in silence and 0 for silence heard as silence', () => {
    expect(wordErrorRate('', 'thank you')).toBe(1)
    expect(wordErrorRate('', '')).toBe(0)
  })
})
