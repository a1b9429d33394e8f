import { Suspense, lazy, useEffect, useState } from 'react'
import { auth } from './lib/auth.ts'
import { match, navigate, usePath } from './lib/router.ts'
import { useAuth, useLiveState, useQueue, useServices, useStorageBlocked } from './services.ts'
import { SignIn } from './ui/SignIn.tsx'
import { RecordScreen } from './ui/RecordScreen.tsx'
import { QueueBanner } from './ui/QueueStatus.tsx'
import { useRole } from './lib/use-role.ts'

const RecordingsScreen = lazy(() => import('./ui/RecordingsScreen.tsx'))
const NoteScreen = lazy(() => import('./ui/NoteScreen.tsx'))
const TemplatesScreen = lazy(() => import('./ui/TemplatesScreen.tsx'))
const StatusScreen = lazy(() => import('./ui/StatusScreen.tsx'))

function NavLink({ to, children }: { to: string; children: string }) {
  const path = usePath()
  const current = to === '/' ? path === '/' || path === '/record' : path.startsWith(to)
  return (
    <a
      href={to}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
        e.preventDefault()
        navigate(to)
      }}
    >
      {children}
    </a>
  )
}

export function App() {
  const state = useAuth()
  const services = useServices()
  const storageBlocked = useStorageBlocked()
  const snapshot = useQueue(services?.queue)
  const liveState = useLiveState()
  const route = match(usePath())
  const role = useRole()
  // The expired-session prompt can wait (mid-recording, say): a banner brings it back.
  const [later, setLater] = useState(false)
  useEffect(() => {
    if (state.kind !== 'expired') setLater(false)
  }, [state.kind])

  useEffect(() => {
    document.title = `Medic Scribe${route.name === 'note' ? ' — note' : route.name === 'status' ? ' — status' : ''}`
  }, [route.name])

  if (state.kind === 'signed-out') {
    return (
      <main className="page narrow">
        <SignIn />
      </main>
    )
  }

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="bar no-print">
        <span className="brand">Medic Scribe</span>
        <nav aria-label="Main">
          <NavLink to="/">Record</NavLink>
          <NavLink to="/notes">Notes</NavLink>
          <NavLink to="/templates">Templates</NavLink>
          {role === 'admin' && <NavLink to="/status">Status</NavLink>}
        </nav>
        <span className={`live live-${liveState}`} title={`Live updates: ${liveState}`}>
          <span className="visually-hidden">Live updates: </span>
          {liveState === 'open' ? 'live' : liveState === 'connecting' ? 'connecting…' : 'offline'}
        </span>
        <button type="button" className="link" onClick={() => auth.signOut()}>
          Sign out
        </button>
      </header>
      {snapshot && <QueueBanner snapshot={snapshot} />}
      {state.kind === 'expired' && later && (
        <div className="queue-banner no-print">
          Your session has ended; nothing is uploaded until you sign in again.{' '}
          <button type="button" onClick={() => setLater(false)}>
            Sign in
          </button>
        </div>
      )}
      <main id="main" className="page">
        {!services ? (
          <p role="status">
            Opening this device’s storage…
            {storageBlocked &&
              ' Medic Scribe is open in another tab or window with an older version: close it (your recordings there are kept) and this one continues.'}
          </p>
        ) : route.name === 'record' ? (
          <RecordScreen services={services} snapshot={snapshot} />
        ) : (
          <Suspense fallback={<p role="status">Loading…</p>}>
            {route.name === 'recordings' && <RecordingsScreen />}
            {route.name === 'note' && <NoteScreen id={route.id} />}
            {route.name === 'templates' && <TemplatesScreen />}
            {route.name === 'status' && <StatusScreen />}
            {route.name === 'not-found' && (
              <>
                <h1 tabIndex={-1}>Not found</h1>
                <p>
                  <a href="/">Back to recording</a>
                </p>
              </>
            )}
          </Suspense>
        )}
      </main>
      {state.kind === 'expired' && !later && (
        <div className="overlay" role="presentation">
          <div
            className="dialog"
            role="dialog"
            aria-modal="true"
            aria-labelledby="expired-title"
            aria-describedby="expired-desc"
          >
            <SignIn expiredEmail={state.email} />
            <button type="button" className="link" onClick={() => setLater(true)}>
              Not now
            </button>
          </div>
        </div>
      )}
    </>
  )
}
