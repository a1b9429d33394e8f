import { useCallback, useEffect, useState } from 'react'
import { listNotes, listRecordings } from '../lib/api.ts'
import { navigate } from '../lib/router.ts'
import type { LiveEvent, NoteSummary, ServerRecording } from '../lib/types.ts'
import { useLiveEvents } from '../services.ts'

const STATUS_TEXT: Record<string, string> = {
  queued: 'Queued',
  transcribing: 'Transcribing',
  summarizing: 'Writing the note',
  done: 'Note ready',
  failed: 'Failed',
}

const REASON_TEXT: Record<string, string> = {
  insufficient_content: 'too little speech to write a note',
}

const when = (iso: string) =>
  new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })

export function applyEvent(list: ServerRecording[], e: LiveEvent): ServerRecording[] {
  if (e.type === 'hello' || !e.recording_id) return list
  return list.map((r) =>
    r.id === e.recording_id
      ? {
          ...r,
          status: e.status ?? (e.type === 'note.ready' ? 'done' : r.status),
          note_id: e.note_id ?? r.note_id,
          reason: e.reason ?? r.reason,
        }
      : r
  )
}

export default function RecordingsScreen() {
  const [recordings, setRecordings] = useState<ServerRecording[] | null>(null)
  const [notes, setNotes] = useState<NoteSummary[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async () => {
    try {
      const [r, n] = await Promise.all([listRecordings(), listNotes()])
      setRecordings(r.items)
      setNotes(n.items)
      setCursor(n.next_cursor)
      setError(null)
    } catch (err) {
      setError((err as Error).message)
    }
  }, [])
  useEffect(() => void load(), [load])

  useLiveEvents(
    useCallback(
      (e: LiveEvent) => {
        if (e.type === 'recording.queued' || e.type === 'note.ready') {
          // New rows or a new note: reload the lists (they are small pages).
          void load()
          return
        }
        setRecordings((list) => (list ? applyEvent(list, e) : list))
      },
      [load]
    )
  )

  const more = async () => {
    if (!cursor) return
    try {
      const n = await listNotes(cursor)
      setNotes((prev) => [...prev, ...n.items])
      setCursor(n.next_cursor)
    } catch (err) {
      setError((err as Error).message)
    }
  }

  const open = (id: string) => (e: React.MouseEvent) => {
    if (e.metaKey || e.ctrlKey) return
    e.preventDefault()
    navigate(`/notes/${id}`)
  }

  const inProgress = (recordings ?? []).filter((r) => r.status !== 'done')
  return (
    <>
      <h1 tabIndex={-1}>Notes</h1>
      {error && (
        <p role="alert" className="error">
          {error}{' '}
          <button type="button" onClick={() => void load()}>
            Try again
          </button>
        </p>
      )}
      {recordings === null && !error && <p role="status">Loading…</p>}
      {inProgress.length > 0 && (
        <section className="card" aria-labelledby="progress-title">
          <h2 id="progress-title">Recordings without a note yet</h2>
          <ul className="list" aria-live="polite">
            {inProgress.map((r) => (
              <li key={r.id}>
                <span>
                  {when(r.created_at)}
                  {r.patient_ref ? ` · ${r.patient_ref}` : ''}
                </span>
                <span className={`badge badge-${r.status}`}>
                  {STATUS_TEXT[r.status] ?? r.status}
                  {r.status === 'failed' && r.reason
                    ? `: ${REASON_TEXT[r.reason] ?? r.reason}`
                    : ''}
                </span>
                {r.detail && <span className="muted small">{r.detail}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card" aria-labelledby="notes-title">
        <h2 id="notes-title">Notes</h2>
        {recordings !== null && notes.length === 0 && <p>No notes yet.</p>}
        <ul className="list">
          {notes.map((n) => (
            <li key={n.id}>
              <a href={`/notes/${n.id}`} onClick={open(n.id)}>
                {when(n.created_at)}
                {n.patient_ref ? ` · ${n.patient_ref}` : ''}
              </a>
              <span className="muted small">
                {n.template} · v{n.version}
                {n.status === 'insufficient_content' ? ' · too little to write a note' : ''}
              </span>
            </li>
          ))}
        </ul>
        {cursor && (
          <button type="button" onClick={() => void more()}>
            Load more
          </button>
        )}
      </section>
    </>
  )
}
