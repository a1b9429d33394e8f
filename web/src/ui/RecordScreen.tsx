import { useEffect, useId, useState, useSyncExternalStore } from 'react'
import type { QueueSnapshot } from '../lib/queue.ts'
import { formatDuration } from '../lib/recorder-machine.ts'
import { listTemplates } from '../lib/api.ts'
import { TEMPLATES } from '../lib/types.ts'
import type { Template } from '../lib/types.ts'
import type { Services } from '../services.ts'
import { QueueList } from './QueueStatus.tsx'

const TEMPLATE_LABELS: Record<Template, string> = {
  soap: 'SOAP',
  'soap-brief': 'SOAP, brief',
  'follow-up': 'Follow-up',
}
const LANGUAGES = [
  ['en', 'English'],
  ['en-GB', 'English (UK)'],
  ['en-US', 'English (US)'],
  ['fr', 'French'],
  ['de', 'German'],
  ['es', 'Spanish'],
  ['it', 'Italian'],
  ['nl', 'Dutch'],
  ['pt', 'Portuguese'],
  ['auto', 'Detect'],
] as const
const PREFS = 'medic-scribe.record-prefs'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A built-in template's name or a template's id. */
function loadPrefs(): { template: string; language: string } {
  try {
    const p = JSON.parse(localStorage.getItem(PREFS) ?? '{}') as Partial<{
      template: string
      language: string
    }>
    const t = p.template ?? ''
    return {
      template: TEMPLATES.includes(t as Template) || UUID.test(t) ? t : 'soap',
      language: typeof p.language === 'string' ? p.language : 'en',
    }
  } catch {
    return { template: 'soap', language: 'en' }
  }
}

export function RecordScreen({
  services,
  snapshot,
}: {
  services: Services
  snapshot: QueueSnapshot | null
}) {
  const { recorder, queue } = services
  const machine = recorder.machine
  const state = useSyncExternalStore(
    (fn) => machine.subscribe(fn),
    () => machine.state
  )
  const [prefs, setPrefs] = useState(loadPrefs)
  // The clinic's and the clinician's own templates; the built-in ones while offline.
  const [templates, setTemplates] = useState<{ value: string; label: string }[]>(() =>
    TEMPLATES.map((t) => ({ value: t, label: TEMPLATE_LABELS[t] }))
  )
  useEffect(() => {
    let alive = true
    listTemplates()
      .then(({ items }) => {
        if (!alive || items.length === 0) return
        setTemplates(items.map((t) => ({ value: t.slug ?? t.id, label: t.name })))
      })
      .catch(() => {}) // offline: the built-in ones, which the server always knows
    return () => {
      alive = false
    }
  }, [])
  const [patientRef, setPatientRef] = useState('')
  const [elapsed, setElapsed] = useState(0)
  const [lvl, setLvl] = useState(0)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const id = useId()

  useEffect(() => localStorage.setItem(PREFS, JSON.stringify(prefs)), [prefs])
  useEffect(() => recorder.onLevel(setLvl), [recorder])
  useEffect(() => {
    recorder.onError = setError
    return () => {
      recorder.onError = null
    }
  }, [recorder])
  useEffect(() => {
    setElapsed(machine.elapsedMs())
    if (state !== 'recording') return
    const t = setInterval(() => setElapsed(machine.elapsedMs()), 250)
    return () => clearInterval(t)
  }, [state, machine])
  // Leaving the page mid-recording: the browser asks first (stored chunks survive anyway).
  useEffect(() => {
    if (state !== 'recording' && state !== 'paused') return
    const warn = (e: BeforeUnloadEvent) => e.preventDefault()
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [state])

  async function act(fn: () => Promise<unknown>) {
    setBusy(true)
    setError(null)
    try {
      await fn()
    } catch (err) {
      const e = err as Error
      setError(
        e.name === 'NotAllowedError'
          ? 'Microphone access was refused. Allow it in the browser’s site settings.'
          : e.name === 'NotFoundError'
            ? 'No microphone was found.'
            : e.message
      )
    } finally {
      setBusy(false)
    }
  }

  const start = () =>
    act(async () => {
      setNotice(null)
      await recorder.start({ ...prefs, patientRef: patientRef.trim() })
    })
  const stop = () =>
    act(async () => {
      await recorder.stop()
      setNotice('Recording saved on this device. It uploads as soon as the network allows.')
      setPatientRef('')
      queue.kick()
    })

  const active = state === 'recording' || state === 'paused'
  return (
    <>
      <h1 tabIndex={-1}>New recording</h1>
      <section className="card stack" aria-label="Recording settings">
        <div className="fields">
          <div>
            <label htmlFor={`${id}-template`}>Note template</label>
            <select
              id={`${id}-template`}
              value={prefs.template}
              disabled={active}
              onChange={(e) => setPrefs({ ...prefs, template: e.target.value })}
            >
              {templates.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
              {!templates.some((t) => t.value === prefs.template) && (
                <option value={prefs.template}>Saved template</option>
              )}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-lang`}>Language</label>
            <select
              id={`${id}-lang`}
              value={prefs.language}
              disabled={active}
              onChange={(e) => setPrefs({ ...prefs, language: e.target.value })}
            >
              {LANGUAGES.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </div>
        </div>
        <label htmlFor={`${id}-patient`}>Patient reference (optional)</label>
        <input
          id={`${id}-patient`}
          value={patientRef}
          maxLength={128}
          disabled={active}
          autoComplete="off"
          onChange={(e) => setPatientRef(e.target.value)}
        />
      </section>

      <section className="card recorder" aria-label="Recorder">
        <p className="timer" role="timer" aria-label="Recorded time">
          {formatDuration(elapsed)}
        </p>
        <p className="state" aria-live="polite">
          {state === 'recording' ? 'Recording' : state === 'paused' ? 'Paused' : 'Ready'}
        </p>
        <label htmlFor={`${id}-level`} className="visually-hidden">
          Input level
        </label>
        <meter
          id={`${id}-level`}
          className="level"
          min={0}
          max={1}
          low={0.2}
          high={0.9}
          value={lvl}
        >
          {Math.round(lvl * 100)}%
        </meter>
        <div className="controls">
          {!active && (
            <button type="button" className="primary big" onClick={start} disabled={busy}>
              Start recording
            </button>
          )}
          {state === 'recording' && (
            <button type="button" className="big" onClick={() => act(() => recorder.pause())}>
              Pause
            </button>
          )}
          {state === 'paused' && (
            <button type="button" className="big" onClick={() => act(() => recorder.resume())}>
              Resume
            </button>
          )}
          {active && (
            <button type="button" className="danger big" onClick={stop} disabled={busy}>
              Stop and save
            </button>
          )}
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {notice && (
          <p role="status" className="ok">
            {notice}
          </p>
        )}
      </section>
      {snapshot && <QueueList snapshot={snapshot} queue={queue} />}
    </>
  )
}
