import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import { SignInError, UNREACHABLE, signInMethod } from '../lib/sign-in.ts'

/** The sign-in form; with `expiredEmail`, the prompt shown over the screen when a session ends. */
export function SignIn({ expiredEmail }: { expiredEmail?: string }) {
  const [email, setEmail] = useState(expiredEmail ?? '')
  const [password, setPassword] = useState('')
  // A magic link that failed (expired, used twice) brings its reason back in the URL.
  const [error, setError] = useState<string | null>(() => signInMethod().linkError ?? null)
  const [sent, setSent] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const id = useId()
  const expired = expiredEmail !== undefined
  const method = signInMethod()

  async function attempt(run: () => Promise<void>) {
    setBusy(true)
    setError(null)
    setSent(null)
    try {
      await run()
    } catch (err) {
      setError(err instanceof SignInError ? err.message : UNREACHABLE)
    } finally {
      setBusy(false)
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault()
    void attempt(() => method.withPassword(email.trim(), password))
  }

  function sendLink() {
    const address = email.trim()
    if (!address) {
      setSent(null)
      setError('Enter your email address first.')
      document.getElementById(`${id}-email`)?.focus()
      return
    }
    void attempt(async () => {
      await method.sendMagicLink?.(address)
      setSent(address)
    })
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
        inputMode="email"
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
      {method.sendMagicLink && (
        <>
          <p className="or">or, without a password:</p>
          <button type="button" className="wide" onClick={sendLink} disabled={busy}>
            Email me a sign-in link
          </button>
          <p role="status">
            {sent &&
              `Check your email: a sign-in link is on its way to ${sent}. Open it on this device.`}
          </p>
        </>
      )}
    </form>
  )
}
