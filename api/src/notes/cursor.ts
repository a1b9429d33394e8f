import { isUuid } from '../lib/ids.ts'

// The note list's cursor: the last row's (created_at, id), base64url. Opaque to clients.

// Cursors carry the ISO timestamps this API writes.
const CURSOR_AT = /^[12]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

export type NoteCursor = { at: string; id: string }

export function encodeCursor(createdAt: Date | string, id: string): string {
  return btoa(`${new Date(createdAt).toISOString()}|${id}`)
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
}

/** The position a cursor names, or undefined when it is not one this API handed out. */
export function decodeCursor(cursor: string): NoteCursor | undefined {
  let decoded = ''
  try {
    decoded = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))
  } catch {
    return undefined
  }
  const [at, id] = decoded.split('|')
  if (!at || !id || !isUuid(id) || !CURSOR_AT.test(at) || Number.isNaN(Date.parse(at))) {
    return undefined
  }
  // Normalised, so PostgreSQL never sees a date JavaScript accepted but it would not.
  return { at: new Date(at).toISOString(), id }
}
