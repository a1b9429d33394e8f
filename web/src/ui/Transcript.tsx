import { useState } from 'react'
import { saveSpeakers } from '../lib/api.ts'
import { plural } from '../lib/note-text.ts'
import { SPEAKER_ROLES } from '../lib/types.ts'
import type { Note, SpeakerRole } from '../lib/types.ts'

const ROLE_LABELS: Record<SpeakerRole, string> = {
  clinician: 'Clinician',
  patient: 'Patient',
  other: 'Other',
}

const fmtTime = (s: number) =>
  `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`

/**
 * The transcript with each speaker's role (guessed by the server, or set here); a clinician
 * corrects a role with one choice per speaker, saved as a new version of the note.
 */
export function Transcript({
  note,
  readOnly,
  onSaved,
  onError,
}: {
  note: Note
  readOnly: boolean
  onSaved: (note: Note) => void
  onError: (message: string) => void
}) {
  const known = new Map(note.transcript.speakers?.map((s) => [s.id, s]))
  const ids = [...new Set(note.transcript.utterances.map((u) => u.speaker))]
  const [roles, setRoles] = useState<Record<string, SpeakerRole> | null>(null)
  const [saving, setSaving] = useState(false)
  const label = (id: string) => {
    const s = known.get(id)
    return s ? `${ROLE_LABELS[s.role]}${s.source === 'heuristic' ? ' (guessed)' : ''}` : id
  }

  async function save() {
    if (!roles) return
    setSaving(true)
    try {
      onSaved(await saveSpeakers(note.id, note.version, roles))
      setRoles(null)
    } catch (err) {
      onError(`Speakers not saved: ${(err as Error).message}`)
    } finally {
      setSaving(false)
    }
  }

  return (
    <details className="section no-print">
      <summary>Transcript ({plural(note.transcript.utterances.length, 'utterance')})</summary>
      {ids.length > 1 && !readOnly && (
        <fieldset className="speakers">
          <legend>Who is speaking</legend>
          {ids.map((id) => (
            <div key={id} className="speaker-role">
              <label htmlFor={`role-${id}`}>{id}</label>
              <select
                id={`role-${id}`}
                value={roles?.[id] ?? known.get(id)?.role ?? ''}
                onChange={(e) =>
                  setRoles({ ...(roles ?? {}), [id]: e.target.value as SpeakerRole })
                }
              >
                {!known.has(id) && <option value="">Not set</option>}
                {SPEAKER_ROLES.map((r) => (
                  <option key={r} value={r}>
                    {ROLE_LABELS[r]}
                  </option>
                ))}
              </select>
            </div>
          ))}
          <button type="button" disabled={!roles || saving} onClick={() => void save()}>
            {saving ? 'Saving…' : 'Save speakers'}
          </button>
        </fieldset>
      )}
      <ol className="transcript">
        {note.transcript.utterances.map((u) => (
          <li key={u.id}>
            <span className="muted">
              {fmtTime(u.start)} {label(u.speaker)}:
            </span>{' '}
            {u.text}
          </li>
        ))}
      </ol>
    </details>
  )
}
