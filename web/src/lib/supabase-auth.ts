// Supabase mode: sign-in through supabase-js (email + password, or a magic link), which keeps
// the refresh token in localStorage and renews the access token by itself (autoRefreshToken).
// Every new access token is handed to `auth`, which the queue, the live connection and the API
// client ask for the current one; after a 401 they ask for one renewal.
import { AuthError, createClient, isAuthRetryableFetchError } from '@supabase/supabase-js'
import type { Session as SupabaseSession, SupabaseClient } from '@supabase/supabase-js'
import { auth } from './auth.ts'
import type { TokenProvider } from './auth.ts'
import type { SupabaseAuthConfig } from './public-config.ts'
import { SignInError, UNREACHABLE, setSignInMethod } from './sign-in.ts'
import type { SignInMethod } from './sign-in.ts'

/** Supabase Auth's error codes, as a sentence a clinician can act on. */
function readable(err: unknown): string {
  if (isAuthRetryableFetchError(err) || !(err instanceof AuthError))
    return 'The sign-in service cannot be reached. Check the network and try again.'
  switch (err.code) {
    case 'invalid_credentials':
      return 'Wrong email or password.'
    case 'email_not_confirmed':
      return 'This email address is not confirmed yet: open the link in the confirmation email.'
    case 'over_email_send_rate_limit':
    case 'over_request_rate_limit':
      return 'Too many sign-in emails were sent. Wait a minute, then try again.'
    case 'otp_disabled':
    case 'signup_disabled':
      return 'No account uses this email address. Ask your administrator for one.'
    default:
      return err.message || UNREACHABLE
  }
}

function adopt(session: SupabaseSession) {
  const expiresIn = (session.expires_at ?? 0) - Date.now() / 1000
  auth.signIn(session.access_token, Math.max(0, expiresIn), session.user.email ?? '')
}

/** Where a magic link brings the clinician back: this app, which reads the session from the URL. */
export function magicLinkRedirect(): string {
  return `${location.origin}/`
}

/**
 * A magic link that cannot sign in (expired, already used) lands on the app with the reason in
 * the URL's fragment, e.g. `#error=access_denied&error_code=otp_expired&error_description=…`.
 */
export function magicLinkError(hash = location.hash): string | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  if (!params.get('error')) return undefined
  if (params.get('error_code') === 'otp_expired')
    return 'This sign-in link has expired or was already used. Ask for a new one below.'
  return params.get('error_description') ?? 'The sign-in link did not work. Ask for a new one.'
}

export type SupabaseAuth = { client: SupabaseClient; method: SignInMethod; provider: TokenProvider }

/** Null when the server gives no anon key: the sign-in screen then says it is not set up. */
export function startSupabaseAuth(config: SupabaseAuthConfig): SupabaseAuth | null {
  if (!config.supabase_anon_key) {
    const method: SignInMethod = {
      withPassword: () =>
        Promise.reject(
          new SignInError(
            'Sign-in is not set up on this server (Supabase mode without a public anon key). ' +
              'Ask your administrator.'
          )
        ),
    }
    setSignInMethod(method)
    return null
  }
  // Read before supabase-js looks at the URL; the reason is shown, the fragment dropped.
  const linkError = magicLinkError()
  if (linkError) history.replaceState(null, '', location.pathname + location.search)
  const client = createClient(config.supabase_url, config.supabase_anon_key, {
    auth: {
      autoRefreshToken: true,
      persistSession: true,
      // The magic link lands on the app with the session in the URL: supabase-js takes it.
      detectSessionInUrl: true,
      // Implicit, not PKCE: a link opened in another browser (a phone's mail app) still works.
      flowType: 'implicit',
    },
  })
  let signingOut = false
  client.auth.onAuthStateChange((event, session) => {
    // Synchronous on purpose: awaiting supabase-js from inside its callback deadlocks it.
    if (session && event !== 'SIGNED_OUT') return adopt(session)
    // A session supabase-js could not renew (revoked, refresh token gone): the app prompts again,
    // keeping the email; a sign-out the user asked for is already signed-out here.
    if (!signingOut && (event === 'SIGNED_OUT' || event === 'INITIAL_SESSION')) auth.expire()
  })

  const provider: TokenProvider = {
    async getAccessToken() {
      // getSession renews first when the token is near its end.
      const { data, error } = await client.auth.getSession()
      if (error) throw error
      return data.session?.access_token ?? null
    },
    async refresh() {
      const { data, error } = await client.auth.refreshSession()
      // Offline: not a verdict on the session; the caller keeps the recording and retries later.
      if (error && isAuthRetryableFetchError(error)) throw error
      return data.session?.access_token ?? null
    },
    async signOut() {
      signingOut = true
      try {
        // This device only: a clinician signed in on another device stays signed in there.
        await client.auth.signOut({ scope: 'local' })
      } finally {
        signingOut = false
      }
    },
  }

  const method: SignInMethod = {
    ...(linkError ? { linkError } : {}),
    async withPassword(email, password) {
      const { data, error } = await client.auth.signInWithPassword({ email, password })
      if (error || !data.session) throw new SignInError(readable(error))
      adopt(data.session)
    },
    async sendMagicLink(email) {
      const { error } = await client.auth.signInWithOtp({
        email,
        // Accounts are made by the administrator (Supabase dashboard), not by asking for a link.
        options: { shouldCreateUser: false, emailRedirectTo: magicLinkRedirect() },
      })
      if (error) throw new SignInError(readable(error))
    },
  }

  auth.setProvider(provider)
  setSignInMethod(method)
  return { client, method, provider }
}
