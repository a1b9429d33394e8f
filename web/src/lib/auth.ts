// The session: the access token and its expiry, kept in localStorage so a reload stays signed in.
// When it expires nothing local is touched; the app asks to sign in again over the current screen.

export type Session = { token: string; expiresAt: number; email: string }
export type AuthState =
  | { kind: 'signed-in'; session: Session }
  | { kind: 'expired'; email: string }
  | { kind: 'signed-out' }

const KEY = 'medic-scribe.session'
/** A token this close to its end is treated as expired: an upload started now would fail. */
const MARGIN_MS = 30_000

type Listener = (state: AuthState) => void
const listeners = new Set<Listener>()
let state: AuthState = read()
let timer: ReturnType<typeof setTimeout> | undefined

function read(now = Date.now()): AuthState {
  try {
    const raw = localStorage.getItem(KEY)
    if (!raw) return { kind: 'signed-out' }
    const s = JSON.parse(raw) as Partial<Session>
    if (typeof s.token !== 'string' || typeof s.expiresAt !== 'number')
      return { kind: 'signed-out' }
    const email = typeof s.email === 'string' ? s.email : ''
    if (s.expiresAt - MARGIN_MS <= now) return { kind: 'expired', email }
    return { kind: 'signed-in', session: { token: s.token, expiresAt: s.expiresAt, email } }
  } catch {
    return { kind: 'signed-out' }
  }
}

function set(next: AuthState) {
  state = next
  clearTimeout(timer)
  if (next.kind === 'signed-in') {
    const ms = next.session.expiresAt - MARGIN_MS - Date.now()
    // setTimeout holds 32-bit delays; a longer token is re-checked then.
    timer = setTimeout(() => set(read()), Math.max(0, Math.min(ms, 2 ** 31 - 1)))
  }
  for (const l of listeners) l(next)
}

export const auth = {
  get state(): AuthState {
    return state
  },
  token(): string | null {
    return state.kind === 'signed-in' ? state.session.token : null
  },
  signIn(token: string, expiresInSeconds: number, email: string, now = Date.now()) {
    const session: Session = { token, expiresAt: now + expiresInSeconds * 1000, email }
    localStorage.setItem(KEY, JSON.stringify(session))
    set({ kind: 'signed-in', session })
  },
  /** The server refused the token: keep the email for the prompt, keep everything else. */
  expire() {
    if (state.kind !== 'signed-in') return
    const email = state.session.email
    localStorage.removeItem(KEY)
    set({ kind: 'expired', email })
  },
  signOut() {
    localStorage.removeItem(KEY)
    set({ kind: 'signed-out' })
  },
  /** Re-reads storage (another tab signed in or out). */
  reload() {
    set(read())
  },
  subscribe(fn: Listener): () => void {
    listeners.add(fn)
    return () => listeners.delete(fn)
  },
}

if (typeof window !== 'undefined') {
  set(state)
  window.addEventListener('storage', (e) => {
    if (e.key === KEY) auth.reload()
  })
}
