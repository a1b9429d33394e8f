// How the sign-in screen signs in: our own /api/auth/login (local mode), or Supabase Auth
// (lib/supabase-auth.ts replaces the method at start). Failures are SignInError with a sentence
// the screen shows as it is.
import { ApiError, login } from './api.ts'
import { auth } from './auth.ts'

export class SignInError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SignInError'
  }
}

export type SignInMethod = {
  withPassword(email: string, password: string): Promise<void>
  /** Only where the identity service can email a sign-in link (Supabase). */
  sendMagicLink?: (email: string) => Promise<void>
  /** Why the magic link this page was opened from did not sign in (shown once, as an error). */
  linkError?: string
}

export const UNREACHABLE = 'The server cannot be reached. Check the network and try again.'

const local: SignInMethod = {
  async withPassword(email, password) {
    try {
      const res = await login(email, password)
      auth.signIn(res.access_token, res.expires_in, email)
    } catch (err) {
      if (!(err instanceof ApiError)) throw new SignInError(UNREACHABLE)
      throw new SignInError(err.status === 401 ? 'Wrong email or password.' : err.message)
    }
  },
}

let current: SignInMethod = local

export function signInMethod(): SignInMethod {
  return current
}

/** At start, by the mode the server announced; null goes back to local mode (tests). */
export function setSignInMethod(method: SignInMethod | null) {
  current = method ?? local
}
