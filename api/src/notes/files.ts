import type { FileStore } from '../files/file-store.ts'
import type { SoapNote } from '../contract/soap-note.ts'
import { renderMarkdown } from './markdown.ts'

const encoder = new TextEncoder()

/**
 * Writes one version of a note to the notes volume as JSON and Markdown, each atomically
 * (temporary file, fsync, rename), under `<recording>/<note>.v<version>.{json,md}`.
 */
export async function writeNoteFiles(
  files: FileStore,
  at: { recordingId: string; noteId: string; version: number; patientRef: string | null },
  note: SoapNote
) {
  const base = `${at.recordingId}/${at.noteId}.v${at.version}`
  const json = await files.writeAtomic(
    'notes',
    `${base}.json`,
    encoder.encode(JSON.stringify(note, null, 2))
  )
  await files.writeAtomic(
    'notes',
    `${base}.md`,
    encoder.encode(renderMarkdown(note, { patient_ref: at.patientRef, version: at.version }))
  )
  return { jsonPath: `${base}.json`, markdownPath: `${base}.md`, sha256: json.sha256 }
}
