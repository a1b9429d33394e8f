import type { NoteItem, Utterance } from '../../contract/soap-note.ts'
import { emptySections } from '../../notes/sections.ts'
import type { WriterOutput } from '../types.ts'

// A transcript longer than the writer's context budget is never cut: it is written in parts of
// consecutive utterances, each a partial note from the same structured-output call, and the
// parts are merged. Tokens are estimated, not counted: tokenizers differ between the models an
// OpenAI-compatible server may run, and about 4 characters a token is the usual rule for English.

export const CHARS_PER_TOKEN = 4
export const estimateTokens = (text: string) => Math.ceil(text.length / CHARS_PER_TOKEN)

/**
 * Splits utterances, in order, into windows whose lines (`line(u)`, plus a newline) stay within
 * `budgetTokens`. An utterance longer than the budget on its own gets a window of its own.
 */
export function transcriptWindows(
  utterances: readonly Utterance[],
  budgetTokens: number,
  line: (u: Utterance) => string
): Utterance[][] {
  const budgetChars = budgetTokens * CHARS_PER_TOKEN
  const windows: Utterance[][] = []
  let current: Utterance[] = []
  let chars = 0
  for (const u of utterances) {
    const size = line(u).length + 1
    if (current.length > 0 && chars + size > budgetChars) {
      windows.push(current)
      current = []
      chars = 0
    }
    current.push(u)
    chars += size
  }
  if (current.length > 0) windows.push(current)
  return windows
}

const normal = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim()

/**
 * Merges partial notes: items concatenated per section in the parts' order, an item that two
 * parts wrote word for word kept once with the evidence of both (evidence still points at the
 * original utterance ids); each part's warnings kept, saying which part they come from.
 */
export function mergePartialNotes(
  parts: readonly WriterOutput[],
  keys: readonly string[]
): WriterOutput {
  const sections = emptySections(keys)
  for (const name of keys) {
    const byText = new Map<string, NoteItem>()
    for (const part of parts) {
      for (const item of part.sections[name]?.items ?? []) {
        const key = normal(item.text)
        const seen = byText.get(key)
        if (!seen) {
          const copy = { text: item.text, evidence: [...item.evidence] }
          byText.set(key, copy)
          sections[name]!.items.push(copy)
          continue
        }
        for (const e of item.evidence) {
          if (!seen.evidence.some((x) => x.utterance_id === e.utterance_id)) seen.evidence.push(e)
        }
      }
    }
  }
  const warnings = parts.flatMap((p, i) =>
    p.warnings.map((w) => `part ${i + 1} of ${parts.length}: ${w}`)
  )
  const status: WriterOutput['status'] = parts.some((p) => p.status === 'ok')
    ? 'ok'
    : 'insufficient_content'
  return { status, sections, warnings }
}
