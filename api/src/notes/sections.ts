import type { Sections } from '../contract/soap-note.ts'

/** A note with nothing in it: what a writer answers when there is nothing to write. */
export function emptySections(): Sections {
  return {
    subjective: { items: [] },
    objective: { items: [] },
    assessment: { items: [] },
    plan: { items: [] },
  }
}
