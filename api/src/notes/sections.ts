import { SECTION_NAMES } from '../contract/names.ts'
import type { Sections } from '../contract/soap-note.ts'

/** A note with nothing in it: what a writer answers when there is nothing to write. */
export function emptySections(keys: readonly string[] = SECTION_NAMES): Sections {
  return Object.fromEntries(keys.map((k) => [k, { items: [] }]))
}
