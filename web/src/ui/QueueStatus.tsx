import type { QueueItem, QueueSnapshot, UploadQueue } from '../lib/queue.ts'
import { formatDuration } from '../lib/recorder-machine.ts'
import { plural } from '../lib/note-text.ts'

const size = (b: number) =>
  b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(b / 1e3))} kB`

export function waitingMessage(s: QueueSnapshot): string | null {
  if (s.waiting === 0) return null
  const n = plural(s.waiting, 'recording')
  if (!s.online) return `${n} waiting for the network`
  if (!s.signedIn) return `${n} waiting for you to sign in`
  if (s.items.some((i) => i.status === 'uploading')) return `${n} uploading`
  return `${n} waiting for the network`
}

/** The one-line count, on every screen; announced politely when it changes. */
export function QueueBanner({ snapshot }: { snapshot: QueueSnapshot }) {
  const msg = waitingMessage(snapshot)
  const failed = snapshot.items.filter((i) => i.status === 'failed').length
  return (
    <div className="queue-banner no-print" role="status" aria-live="polite">
      {msg}
      {failed > 0 && (
        <>
          {msg ? ' · ' : ''}
          {plural(failed, 'recording')} refused by the server, kept on this device
        </>
      )}
    </div>
  )
}

function label(i: QueueItem): string {
  const when = new Date(i.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
  const who = i.patientRef ? ` · ${i.patientRef}` : ''
  return `${when}${who} · ${formatDuration(i.durationMs)}`
}

function state(i: QueueItem, s: QueueSnapshot): string {
  if (i.status === 'capturing') return 'recording'
  if (i.status === 'failed') return `not accepted: ${i.lastError ?? 'unknown error'}`
  if (i.status === 'uploading') return 'uploading'
  if (!s.online) return 'waiting for the network'
  if (i.attempts > 0) return `retrying (${i.lastError ?? 'error'})`
  return 'waiting'
}

/** Every recording still on this device, with its upload progress. */
export function QueueList({ snapshot, queue }: { snapshot: QueueSnapshot; queue: UploadQueue }) {
  const items = snapshot.items.filter((i) => i.status !== 'capturing')
  if (items.length === 0) return null
  return (
    <section aria-labelledby="queue-title" className="card">
      <h2 id="queue-title">On this device</h2>
      <ul className="queue">
        {items.map((i) => (
          <li key={i.id}>
            <div className="row">
              <span>{label(i)}</span>
              <span className="muted">{size(i.bytes)}</span>
            </div>
            <progress
              max={1}
              value={i.progress ?? 0}
              aria-label={`Upload of the recording from ${label(i)}`}
            />
            <div className="row">
              <span className={i.status === 'failed' ? 'error' : 'muted'}>
                {state(i, snapshot)}
              </span>
              {(i.status === 'failed' || (i.status === 'pending' && i.attempts > 0)) && (
                <span>
                  <button type="button" onClick={() => void queue.retryNow(i.id)}>
                    Retry now
                  </button>
                  {i.status === 'failed' && (
                    <button
                      type="button"
                      onClick={() => {
                        if (confirm('Delete this recording from the device? It cannot be undone.'))
                          void queue.discard(i.id)
                      }}
                    >
                      Delete
                    </button>
                  )}
                </span>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}
