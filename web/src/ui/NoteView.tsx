import { useEffect, useRef, useState } from 'react'
import {
  ApiError,
  getNote,
  getNoteVersion,
  listNoteVersions,
  noteMarkdown,
  recordingAudio,
  saveNote,
} from '../lib/api.ts'
import { cleanSections, layoutOf, noteToText } from '../lib/note-text.ts'
import type { LayoutEntry } from '../lib/note-text.ts'
import { isOfflineEngineNote } from '../lib/types.ts'
import type { Note, NoteItem, NoteVersionInfo, Sections } from '../lib/types.ts'
import { Transcript } from './Transcript.tsx'

const fmtTime = (s: number) =>
  `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`

function Editor({
  layout,
  draft,
  setDraft,
}: {
  layout: LayoutEntry[]
  draft: Sections
  setDraft: (s: Sections) => void
}) {
  const update = (name: string, items: NoteItem[]) => setDraft({ ...draft, [name]: { items } })
  return (
    <>
      {layout.map(({ key: name, title }) => {
        const items = draft[name]?.items ?? []
        return (
          <fieldset key={name} className="section">
            <legend>{title}</legend>
            {items.map((item, i) => (
              <div key={i} className="edit-item">
                <label className="visually-hidden" htmlFor={`edit-${name}-${i}`}>
                  {title} item {i + 1}
                </label>
                <textarea
                  id={`edit-${name}-${i}`}
                  value={item.text}
                  rows={2}
                  onChange={(e) =>
                    update(
                      name,
                      items.map((it, k) => (k === i ? { ...it, text: e.target.value } : it))
                    )
                  }
                />
                <button
                  type="button"
                  aria-label={`Remove ${title} item ${i + 1}`}
                  onClick={() =>
                    update(
                      name,
                      items.filter((_, k) => k !== i)
                    )
                  }
                >
                  Remove
                </button>
              </div>
            ))}
            <button
              type="button"
              onClick={() => update(name, [...items, { text: '', evidence: [] }])}
            >
              Add {title.toLowerCase()} item
            </button>
          </fieldset>
        )
      })}
    </>
  )
}

export function NoteView({ id }: { id: string }) {
  const [note, setNote] = useState<Note | null>(null)
  const [current, setCurrent] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [status, setStatus] = useState<string | null>(null)
  const [draft, setDraft] = useState<Sections | null>(null)
  const [saving, setSaving] = useState(false)
  const [versions, setVersions] = useState<NoteVersionInfo[] | null>(null)
  const [audioUrl, setAudioUrl] = useState<string | null>(null)
  const audioRef = useRef<HTMLAudioElement>(null)
  const stopAt = useRef<number | null>(null)

  useEffect(() => {
    let alive = true
    getNote(id)
      .then((n) => {
        if (!alive) return
        setNote(n)
        setCurrent(n.version)
      })
      .catch((err: Error) => alive && setError(err.message))
    return () => {
      alive = false
    }
  }, [id])
  useEffect(() => () => void (audioUrl && URL.revokeObjectURL(audioUrl)), [audioUrl])

  if (error && !note) {
    return (
      <>
        <h1 tabIndex={-1}>Note</h1>
        <p role="alert" className="error">
          {error}
        </p>
      </>
    )
  }
  if (!note) return <p role="status">Loading the note…</p>

  const viewingOld = current !== null && note.version !== current
  const offline = isOfflineEngineNote(note)
  const layout = layoutOf(note)

  async function play(item: NoteItem) {
    const ev = item.evidence
    if (ev.length === 0 || !note) return
    setError(null)
    try {
      let url = audioUrl
      if (!url) {
        setStatus('Loading the audio…')
        url = URL.createObjectURL(await recordingAudio(note.recording_id))
        setAudioUrl(url)
      }
      const audio = audioRef.current
      if (!audio) return
      if (audio.src !== url) {
        audio.src = url
        await new Promise<void>((resolve, reject) => {
          audio.onloadedmetadata = () => resolve()
          audio.onerror = () => reject(new Error('this audio cannot be played here'))
        })
      }
      const start = Math.min(...ev.map((e) => e.start))
      stopAt.current = Math.max(...ev.map((e) => e.end))
      audio.currentTime = start
      setStatus(`Playing ${fmtTime(start)}–${fmtTime(stopAt.current)}`)
      await audio.play()
    } catch (err) {
      setStatus(null)
      setError(`Could not play the audio: ${(err as Error).message}`)
    }
  }

  async function save() {
    if (!note || !draft) return
    setSaving(true)
    setError(null)
    try {
      const saved = await saveNote(note.id, note.version, cleanSections(draft))
      setNote(saved)
      setCurrent(saved.version)
      setDraft(null)
      setVersions(null)
      setStatus(`Saved as version ${saved.version}`)
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 409
          ? `${err.message}. Your edits are still here; copy them before reloading.`
          : `Not saved: ${(err as Error).message}`
      )
    } finally {
      setSaving(false)
    }
  }

  async function showVersion(v: number) {
    try {
      const n = v === current ? await getNote(id) : await getNoteVersion(id, v)
      setNote(n)
    } catch (err) {
      setError((err as Error).message)
    }
  }

  async function download() {
    try {
      const { text, filename } = await noteMarkdown(id)
      const url = URL.createObjectURL(new Blob([text], { type: 'text/markdown' }))
      const a = document.createElement('a')
      a.href = url
      a.download = filename
      document.body.append(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } catch (err) {
      setError((err as Error).message)
    }
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(noteToText(note!))
      setStatus('Note copied')
    } catch {
      setError('Copying is not allowed here; select the text instead.')
    }
  }

  return (
    <article className="note" aria-labelledby="note-title">
      <h1 id="note-title" tabIndex={-1}>
        Note{note.patient_ref ? ` · ${note.patient_ref}` : ''}
      </h1>
      <p className="muted">
        {new Date(note.created_at).toLocaleString()} · {note.template} · version {note.version}
      </p>
      {offline && (
        <p className="warning-label" role="note">
          Offline engine, low accuracy: check every line against the audio.
        </p>
      )}
      {viewingOld && (
        <p className="banner" role="status">
          Viewing version {note.version}; the current one is {current}.{' '}
          <button type="button" onClick={() => void showVersion(current!)}>
            Back to current
          </button>
        </p>
      )}
      {note.status === 'insufficient_content' && (
        <p className="banner">The recording held too little speech to write a note.</p>
      )}

      <div className="toolbar no-print" role="toolbar" aria-label="Note actions">
        {draft ? (
          <>
            <button type="button" className="primary" disabled={saving} onClick={() => void save()}>
              {saving ? 'Saving…' : 'Save as new version'}
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <button
              type="button"
              disabled={viewingOld}
              onClick={() => setDraft(structuredClone(note.sections))}
            >
              Edit
            </button>
            <button type="button" onClick={() => void copy()}>
              Copy
            </button>
            <button type="button" onClick={() => void download()}>
              Download Markdown
            </button>
            <button type="button" onClick={() => window.print()}>
              Print
            </button>
            <button
              type="button"
              aria-expanded={versions !== null}
              onClick={() =>
                versions
                  ? setVersions(null)
                  : void listNoteVersions(id)
                      .then((r) => setVersions(r.items))
                      .catch((err: Error) => setError(err.message))
              }
            >
              Versions
            </button>
          </>
        )}
      </div>
      <p role="status" aria-live="polite" className="muted no-print">
        {status}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {versions && (
        <nav aria-label="Versions" className="card no-print">
          <ol className="versions">
            {versions.map((v) => (
              <li key={v.version}>
                <button
                  type="button"
                  aria-current={v.version === note.version ? 'true' : undefined}
                  onClick={() => void showVersion(v.version)}
                >
                  Version {v.version} · {new Date(v.created_at).toLocaleString()}
                  {v.version === current ? ' (current)' : ''}
                </button>
              </li>
            ))}
          </ol>
        </nav>
      )}

      <audio
        ref={audioRef}
        controls={audioUrl !== null}
        hidden={audioUrl === null}
        className="no-print"
        aria-label="Consultation audio"
        onTimeUpdate={(e) => {
          const a = e.currentTarget
          if (stopAt.current !== null && a.currentTime >= stopAt.current) {
            a.pause()
            stopAt.current = null
          }
        }}
      />

      {draft ? (
        <Editor layout={layout} draft={draft} setDraft={setDraft} />
      ) : (
        layout.map(({ key: name, title }) => (
          <section key={name} className="section" aria-labelledby={`sec-${name}`}>
            <h2 id={`sec-${name}`}>{title}</h2>
            {(note.sections[name]?.items ?? []).length === 0 ? (
              <p className="muted">Nothing recorded.</p>
            ) : (
              <ul>
                {(note.sections[name]?.items ?? []).map((item, i) => (
                  <li key={i}>
                    {item.evidence.length > 0 ? (
                      <button
                        type="button"
                        className="item"
                        title="Play the audio this came from"
                        onClick={() => void play(item)}
                      >
                        <span aria-hidden="true" className="play no-print">
                          ▶
                        </span>{' '}
                        {item.text}
                        <span className="visually-hidden">
                          {' '}
                          (play audio from {fmtTime(item.evidence[0]!.start)})
                        </span>
                      </button>
                    ) : (
                      item.text
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
        ))
      )}

      {note.warnings.length > 0 && (
        <section className="section" aria-labelledby="sec-warnings">
          <h2 id="sec-warnings">Warnings</h2>
          <ul>
            {note.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </section>
      )}
      <Transcript
        note={note}
        readOnly={viewingOld || draft !== null}
        onSaved={(saved) => {
          setNote(saved)
          setCurrent(saved.version)
          setVersions(null)
          setStatus(`Speakers saved as version ${saved.version}`)
        }}
        onError={setError}
      />
      <p className="muted small">
        Transcribed by {note.provenance.stt_provider} ({note.provenance.stt_model}); written by{' '}
        {note.provenance.writer} ({note.provenance.writer_model}).
      </p>
    </article>
  )
}
