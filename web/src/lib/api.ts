// The API client: fetch with the current bearer token. A 401 renews the token once where the
// provider can (Supabase) and resends; otherwise it expires the session (the app then asks to
// sign in again) and throws; nothing kept on the device is touched.
import { auth } from './auth.ts'
import type {
  AdminStatus,
  Me,
  Note,
  NoteSummary,
  NoteTemplate,
  NoteVersionInfo,
  Sections,
  ServerRecording,
  SpeakerRole,
  StatusMetric,
  StatusSeries,
  TemplateInput,
} from './types.ts'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

async function toError(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`
  let message = res.statusText || `request failed (${res.status})`
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } }
    if (body.error?.code) code = body.error.code
    if (body.error?.message) message = body.error.message
  } catch {
    // not the API's JSON envelope
  }
  return new ApiError(res.status, code, message)
}

/** `answers`: statuses besides 2xx that carry a body the caller reads (not the error envelope). */
export async function request(
  path: string,
  init: RequestInit = {},
  answers: number[] = []
): Promise<Response> {
  const send = (token: string) => {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${token}`)
    return fetch(path, { ...init, headers, cache: 'no-store' })
  }
  const token = await auth.getAccessToken()
  if (!token) throw new ApiError(401, 'UNAUTHORIZED', 'sign in first')
  let res = await send(token)
  if (res.status === 401) {
    const fresh = await auth.refresh()
    if (fresh) res = await send(fresh)
  }
  if (res.status === 401) {
    auth.expire()
    throw await toError(res)
  }
  if (!res.ok && !answers.includes(res.status)) throw await toError(res)
  return res
}

async function json<T>(path: string, init: RequestInit = {}, answers: number[] = []): Promise<T> {
  const headers = new Headers(init.headers)
  headers.set('accept', 'application/json')
  return (await (await request(path, { ...init, headers }, answers)).json()) as T
}

export async function login(email: string, password: string) {
  const res = await fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  if (!res.ok) throw await toError(res)
  return (await res.json()) as { access_token: string; token_type: string; expires_in: number }
}

export const listRecordings = (limit = 50) =>
  json<{ items: ServerRecording[] }>(`/api/recordings?limit=${limit}`)

export const getRecording = (id: string) =>
  json<ServerRecording>(`/api/recordings/${encodeURIComponent(id)}`)

export const listNotes = (cursor?: string | null) =>
  json<{ items: NoteSummary[]; next_cursor: string | null }>(
    `/api/notes${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`
  )

export const getNote = (id: string) => json<Note>(`/api/notes/${encodeURIComponent(id)}`)

export const getNoteVersion = (id: string, version: number) =>
  json<Note>(`/api/notes/${encodeURIComponent(id)}/versions/${version}`)

export const listNoteVersions = (id: string) =>
  json<{ items: NoteVersionInfo[] }>(`/api/notes/${encodeURIComponent(id)}/versions`)

export const saveNote = (id: string, baseVersion: number, sections: Sections) =>
  json<Note>(`/api/notes/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ base_version: baseVersion, sections }),
  })

export async function noteMarkdown(id: string): Promise<{ text: string; filename: string }> {
  const res = await request(`/api/notes/${encodeURIComponent(id)}`, {
    headers: { accept: 'text/markdown' },
  })
  const disposition = res.headers.get('content-disposition') ?? ''
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `note-${id}.md`
  return { text: await res.text(), filename }
}

/** The recording's audio as a blob (the audio element cannot send the bearer token itself). */
export async function recordingAudio(id: string): Promise<Blob> {
  return (await request(`/api/recordings/${encodeURIComponent(id)}/audio`)).blob()
}

/** The clinician's tap: who each speaker is, saved as a new version of the note. */
export const saveSpeakers = (id: string, baseVersion: number, roles: Record<string, SpeakerRole>) =>
  json<Note>(`/api/notes/${encodeURIComponent(id)}/speakers`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ base_version: baseVersion, roles }),
  })

export const listTemplates = () => json<{ items: NoteTemplate[] }>('/api/templates')

/** A new template (no id) or a new version of one. */
export const saveTemplate = (input: TemplateInput, id?: string) =>
  json<NoteTemplate>(id ? `/api/templates/${encodeURIComponent(id)}` : '/api/templates', {
    method: id ? 'PUT' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  })
/** Who is signed in, and their role (read from the server's users row, not the token). */
export const getMe = () => json<Me>('/api/me')

/** Admins only (403 otherwise); a 503 still answers the status, marking the monitor off. */
export const getAdminStatus = () => json<AdminStatus>('/api/admin/status', {}, [503])

export const getStatusSeries = (metric: StatusMetric, range: '1h' | '6h' | '24h' = '24h') =>
  json<StatusSeries>(`/api/admin/status/series?metric=${metric}&range=${range}`)
