// The session: the access token and its expiry, kept in localStorage so a reload stays signed in.
// When it expires nothing local is touched; the app asks to sign in again over the current screen.
//
// Who issues the token is a provider: none (local mode: our own /api/auth/login, the stored token
// is all there is) or Supabase (lib/supabase-auth.ts: supabase-js holds the refresh token, renews
// the access token by itself and reports each new one here). Everything that sends a request asks
// `auth.getAccessToken()` for the current token and `auth.refresh()` once after a 401.

export type Session = { token: string; expiresAt: number; email: string }
export type AuthState =
  | { kind: 'signed-in'; session: Session }
  | { kind: 'expired'; email: string }
  | { kind: 'signed-out' }

/** A token issuer that can renew: Supabase through supabase-js. */
export type TokenProvider = {
  /** The current access token, renewed first when it is near its end; null without a session. */
  getAccessToken(): Promise<string | null>
  /** Renews now (the server refused the token); null when the session cannot be renewed. */
  refresh(): Promise<string | null>
  signOut(): Promise<void>
}

const KEY = 'medic-scribe.session'
/** A token this close to its end is treated as expired: an upload started now would fail. */
const MARGIN_MS = 30_000

type Listener = (state: AuthState) => void
const listeners = new Set<Listener>()
let state: AuthState = read()
let timer: ReturnType<typeof setTimeout> | undefined
let provider: TokenProvider | null = null

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
    timer = setTimeout(onTimer, Math.max(0, Math.min(ms, 2 ** 31 - 1)))
  }
  for (const l of listeners) l(next)
}

/** Near the end of the token: a provider renews it (the session goes on), local mode re-reads. */
function onTimer() {
  if (!provider) return set(read())
  void auth.refresh()
}

export const auth = {
  get state(): AuthState {
    return state
  },
  /** The token as last known, for synchronous checks (is anyone signed in). */
  token(): string | null {
    return state.kind === 'signed-in' ? state.session.token : null
  },
  /** The token to send now: the provider's current one (renewed if near its end), or the stored one. */
  async getAccessToken(): Promise<string | null> {
    if (!provider || state.kind !== 'signed-in') return auth.token()
    try {
      return await provider.getAccessToken()
    } catch {
      // The provider could not renew (offline): the stored token may still be good.
      return auth.token()
    }
  },
  /** After a 401: a renewed token, or null (local mode, or the session cannot be renewed). */
  async refresh(): Promise<string | null> {
    if (!provider || state.kind !== 'signed-in') return null
    try {
      const token = await provider.refresh()
      if (!token) auth.expire()
      return token
    } catch {
      return null
    }
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
    void provider?.signOut().catch(() => {})
  },
  /** Re-reads storage (another tab signed in or out). */
  reload() {
    set(read())
  },
  /** Supabase mode: from now on tokens come from, and are renewed by, this provider. */
  setProvider(next: TokenProvider | null) {
    provider = next
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
