import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { auth } from './lib/auth.ts'
import { App } from './App.tsx'

afterEach(() => {
  vi.unstubAllGlobals()
  auth.signOut()
})

/** Signed in, with GET /api/me answering `role`. */
function signedInAs(role: 'admin' | 'clinician') {
  const me = vi.fn(async (url: string) =>
    url === '/api/me'
      ? Response.json({ id: crypto.randomUUID(), email: 'dr@example.org', role })
      : Response.json({ error: { code: 'NOT_FOUND', message: 'no' } }, { status: 404 })
  )
  vi.stubGlobal('fetch', me)
  auth.signIn('t', 3600, 'dr@example.org')
  return me
}

describe('App', () => {
  it('shows the sign-in form when nobody is signed in', () => {
    auth.signOut()
    render(<App />)
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy()
    expect(screen.getByLabelText('Email')).toBeTruthy()
    expect(screen.getByLabelText('Password')).toBeTruthy()
    // Local mode: our own accounts, no emailed links.
    expect(screen.queryByRole('button', { name: 'Email me a sign-in link' })).toBeNull()
  })

  it('stays signed in from storage, and prompts over the screen when the session ends', async () => {
    localStorage.setItem(
      'medic-scribe.session',
      JSON.stringify({ token: 't', expiresAt: Date.now() + 3_600_000, email: 'dr@example.org' })
    )
    auth.reload()
    render(<App />)
    expect(await screen.findByRole('heading', { name: 'New recording' })).toBeTruthy()

    act(() => auth.expire())
    const dialog = screen.getByRole('dialog', { name: 'Your session has ended' })
    expect(dialog.textContent).toMatch(/Nothing is lost/)
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('dr@example.org')
    // the screen underneath stays mounted: nothing in progress is lost
    expect(screen.getByRole('heading', { name: 'New recording' })).toBeTruthy()

    fireEvent.click(screen.getByRole('button', { name: 'Not now' }))
    expect(screen.queryByRole('dialog')).toBeNull()
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(screen.getByRole('dialog')).toBeTruthy()
  })

  it('treats a stored token past its expiry as expired, keeping the email', () => {
    localStorage.setItem(
      'medic-scribe.session',
      JSON.stringify({ token: 't', expiresAt: Date.now() - 1000, email: 'dr@example.org' })
    )
    auth.reload()
    expect(auth.state).toEqual({ kind: 'expired', email: 'dr@example.org' })
    expect(auth.token()).toBeNull()
  })

  it('offers the Status screen to an admin only', async () => {
    signedInAs('admin')
    const { unmount } = render(<App />)
    expect(await screen.findByRole('link', { name: 'Status' })).toBeTruthy()
    unmount()

    const me = signedInAs('clinician')
    render(<App />)
    await screen.findByRole('heading', { name: 'New recording' })
    await waitFor(() => expect(me).toHaveBeenCalledWith('/api/me', expect.anything()))
    await act(() => new Promise((r) => setTimeout(r, 50)))
    expect(screen.getByRole('link', { name: 'Notes' })).toBeTruthy()
    expect(screen.queryByRole('link', { name: 'Status' })).toBeNull()
  })
})
