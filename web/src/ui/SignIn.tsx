import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import { ApiError, login } from '../lib/api.ts'
import { auth } from '../lib/auth.ts'

/** The sign-in form; with `expiredEmail`, the prompt shown over the screen when a session ends. */
export function SignIn({ expiredEmail }: { expiredEmail?: string }) {
  const [email, setEmail] = useState(expiredEmail ?? '')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const id = useId()
  const expired = expiredEmail !== undefined

  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const res = await login(email.trim(), password)
      auth.signIn(res.access_token, res.expires_in, email.trim())
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err.status === 401
            ? 'Wrong email or password.'
            : err.message
          : 'The server cannot be reached. Check the network and try again.'
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} className="stack" aria-describedby={error ? `${id}-err` : undefined}>
      <h1 id={expired ? 'expired-title' : undefined} tabIndex={-1}>
        {expired ? 'Your session has ended' : 'Sign in'}
      </h1>
      {expired ? (
        <p id="expired-desc">
          Sign in again to continue. Nothing is lost: recordings stay on this device and upload once
          you are back.
        </p>
      ) : (
        <p>Medic Scribe turns a recorded consultation into a structured note.</p>
      )}
      <label htmlFor={`${id}-email`}>Email</label>
      <input
        id={`${id}-email`}
        type="email"
        autoComplete="username"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        autoFocus={!expired}
      />
      <label htmlFor={`${id}-password`}>Password</label>
      <input
        id={`${id}-password`}
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        autoFocus={expired}
      />
      {error && (
        <p id={`${id}-err`} role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  )
}
