// Supabase mode, end to end in the page: the real supabase-js against msw answering Supabase
// Auth's real endpoints and error shapes, the real upload queue (XMLHttpRequest) against msw
// answering as the API does.
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { auth } from '../lib/auth.ts'
import { openStore } from '../lib/db.ts'
import type { LocalRecording, LocalStore } from '../lib/db.ts'
import { UploadQueue } from '../lib/queue.ts'
import { xhrSender } from '../lib/senders.ts'
import { setSignInMethod } from '../lib/sign-in.ts'
import { startSupabaseAuth } from '../lib/supabase-auth.ts'
import type { SupabaseAuth } from '../lib/supabase-auth.ts'
import { SignIn } from './SignIn.tsx'

const SUPABASE = 'http://127.0.0.1:54321'
const AUTH = `${SUPABASE}/auth/v1`

const b64 = (v: object) => btoa(JSON.stringify(v)).replace(/=+$/, '')
/** A JWT-shaped access token (the API checks the signature, the PWA never does). */
function accessToken(name: string, expiresAt: number) {
  const claims = { sub: 'user-1', aud: 'authenticated', exp: expiresAt, email: 'dr@example.org' }
  return `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ ...claims, name })}.sig`
}

/** The body Supabase Auth answers a token grant with. */
function session(name: string, refreshToken: string) {
  const expiresAt = Math.floor(Date.now() / 1000) + 3600
  return {
    access_token: accessToken(name, expiresAt),
    token_type: 'bearer',
    expires_in: 3600,
    expires_at: expiresAt,
    refresh_token: refreshToken,
    user: {
      id: 'user-1',
      aud: 'authenticated',
      role: 'authenticated',
      email: 'dr@example.org',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
      created_at: '2026-01-01T00:00:00Z',
    },
  }
}

type Seen = { url: string; auth: string | null; body: unknown }
const seen: Seen[] = []
async function record(request: Request) {
  const text = await request.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // multipart (an upload)
  }
  seen.push({ url: request.url, auth: request.headers.get('authorization'), body })
}
const calls = (part: string) => seen.filter((s) => s.url.includes(part))

const supabaseAuth = [
  http.post(`${AUTH}/token`, async ({ request }) => {
    await record(request.clone())
    const grant = new URL(request.url).searchParams.get('grant_type')
    const body = (await request.json()) as Record<string, string>
    if (grant === 'password') {
      if (body.password !== 'right horse battery')
        return HttpResponse.json(
          { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' },
          { status: 400, headers: { 'x-supabase-api-version': '2024-01-01' } }
        )
      return HttpResponse.json(session('first', 'refresh-1'))
    }
    if (grant === 'refresh_token' && body.refresh_token === 'refresh-1')
      return HttpResponse.json(session('renewed', 'refresh-2'))
    return HttpResponse.json(
      { code: 400, error_code: 'refresh_token_not_found', msg: 'Invalid Refresh Token' },
      { status: 400, headers: { 'x-supabase-api-version': '2024-01-01' } }
    )
  }),
  http.post(`${AUTH}/otp`, async ({ request }) => {
    await record(request)
    return HttpResponse.json({})
  }),
  http.post(`${AUTH}/logout`, async ({ request }) => {
    await record(request)
    return new HttpResponse(null, { status: 204 })
  }),
]

const server = setupServer(...supabaseAuth)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

let started: SupabaseAuth | null = null
let store: LocalStore | null = null
let dbCount = 0
afterEach(async () => {
  await started?.client.auth.stopAutoRefresh()
  started = null
  auth.setProvider(null)
  setSignInMethod(null)
  auth.signOut()
  store?.close()
  store = null
  server.resetHandlers()
  seen.length = 0
  localStorage.clear()
  history.replaceState(null, '', '/')
})

function supabaseMode() {
  started = startSupabaseAuth({
    mode: 'supabase',
    supabase_url: SUPABASE,
    supabase_anon_key: 'anon-key',
  })
}

async function signIn(password: string) {
  render(<SignIn />)
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'dr@example.org' } })
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } })
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))
}

async function recordingOnDevice(id: string): Promise<LocalStore> {
  store = await openStore(`supabase-queue-${++dbCount}`)
  const rec: LocalRecording = {
    id,
    createdAt: 1,
    status: 'pending',
    template: 'soap',
    language: 'en',
    patientRef: '',
    sampleRate: 16_000,
    durationMs: 1000,
    bytes: 0,
    chunkCount: 0,
    attempts: 0,
    nextAttemptAt: 0,
    lastError: null,
  }
  await store.put(rec)
  await store.appendChunk(id, 0, new Int16Array([1, 2, 3, 4]).buffer)
  return store
}

/** The page's queue, wired to auth as services.ts wires it. */
function pageQueue(s: LocalStore) {
  return new UploadQueue({
    store: s,
    send: xhrSender,
    getToken: () => auth.getAccessToken(),
    refreshToken: () => auth.refresh(),
    onUnauthorized: () => auth.expire(),
  })
}

function tokenName(header: string | null): string | undefined {
  const payload = header?.replace(/^Bearer /, '').split('.')[1]
  return payload ? (JSON.parse(atob(payload)) as { name?: string }).name : undefined
}

describe('sign-in in Supabase mode', () => {
  it('signs in with email and password, and uploads carry the Supabase access token', async () => {
    supabaseMode()
    await signIn('right horse battery')
    await waitFor(() => expect(auth.state.kind).toBe('signed-in'))
    expect(calls('grant_type=password')[0]?.body).toEqual({
      email: 'dr@example.org',
      password: 'right horse battery',
      gotrue_meta_security: {},
    })
    expect(auth.state).toMatchObject({ session: { email: 'dr@example.org' } })

    server.use(
      http.post('*/api/recordings', async ({ request }) => {
        await record(request)
        return HttpResponse.json({ id: 'srv-1', status: 'queued' }, { status: 202 })
      })
    )
    const s = await recordingOnDevice('rec-aaaaaaaa')
    const queue = pageQueue(s)
    await queue.start()
    await queue.whenIdle()
    const uploads = calls('/api/recordings')
    expect(uploads).toHaveLength(1)
    expect(tokenName(uploads[0]!.auth)).toBe('first')
    expect(await s.get('rec-aaaaaaaa')).toBeUndefined()
    queue.stop()
  })

  it('says a wrong password plainly and makes no session', async () => {
    supabaseMode()
    await signIn('wrong')
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toBe('Wrong email or password.')
    expect(auth.state.kind).toBe('signed-out')
    expect(await started!.client.auth.getSession()).toMatchObject({ data: { session: null } })
    expect(
      Object.keys(localStorage).filter((k) => k.startsWith('sb-') || k === 'medic-scribe.session')
    ).toEqual([])
  })

  it('sends a magic link back to this app and says to check the email', async () => {
    supabaseMode()
    render(<SignIn />)
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: ' dr@example.org ' } })
    fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in link' }))
    const status = await screen.findByText(/Check your email/)
    expect(status.getAttribute('role')).toBe('status')
    expect(status.textContent).toContain('dr@example.org')
    const otp = calls('/otp')[0]!
    expect(otp.body).toMatchObject({ email: 'dr@example.org', create_user: false })
    expect(new URL(otp.url).searchParams.get('redirect_to')).toBe(`${location.origin}/`)
    expect(auth.state.kind).toBe('signed-out')
  })

  it('says when too many sign-in emails were sent (429)', async () => {
    supabaseMode()
    server.use(
      http.post(`${AUTH}/otp`, () =>
        HttpResponse.json(
          {
            code: 429,
            error_code: 'over_email_send_rate_limit',
            msg: 'email rate limit exceeded',
          },
          { status: 429, headers: { 'x-supabase-api-version': '2024-01-01' } }
        )
      )
    )
    render(<SignIn />)
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'dr@example.org' } })
    fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in link' }))
    expect((await screen.findByRole('alert')).textContent).toMatch(/Too many sign-in emails/)
    expect(screen.queryByText(/Check your email/)).toBeNull()
  })

  it('renews a token the API refuses mid-queue, resends with it, and keeps the audio until the 202', async () => {
    supabaseMode()
    await signIn('right horse battery')
    await waitFor(() => expect(auth.state.kind).toBe('signed-in'))
    const s = await recordingOnDevice('rec-bbbbbbbb')
    const stillStored: boolean[] = []
    server.use(
      http.post('*/api/recordings', async ({ request }) => {
        await record(request.clone())
        stillStored.push((await s.get('rec-bbbbbbbb')) !== undefined)
        // The API's answer to an expired token.
        if (tokenName(request.headers.get('authorization')) !== 'renewed')
          return HttpResponse.json(
            { error: { code: 'UNAUTHORIZED', message: 'token expired' } },
            { status: 401 }
          )
        return HttpResponse.json({ id: 'srv-2', status: 'queued' }, { status: 202 })
      })
    )
    const queue = pageQueue(s)
    await queue.start()
    await queue.whenIdle()
    expect(calls('grant_type=refresh_token').map((c) => c.body)).toEqual([
      { refresh_token: 'refresh-1' },
    ])
    expect(calls('/api/recordings').map((c) => tokenName(c.auth))).toEqual(['first', 'renewed'])
    expect(stillStored).toEqual([true, true])
    expect(await s.get('rec-bbbbbbbb')).toBeUndefined()
    expect(auth.state.kind).toBe('signed-in')
    expect(tokenName(`Bearer ${auth.token()}`)).toBe('renewed')
    queue.stop()
  })

  it('keeps the recording and asks to sign in again when the session cannot be renewed', async () => {
    supabaseMode()
    await signIn('right horse battery')
    await waitFor(() => expect(auth.state.kind).toBe('signed-in'))
    server.use(
      http.post(`${AUTH}/token`, ({ request }) =>
        new URL(request.url).searchParams.get('grant_type') === 'refresh_token'
          ? HttpResponse.json(
              { code: 400, error_code: 'refresh_token_not_found', msg: 'Invalid Refresh Token' },
              { status: 400, headers: { 'x-supabase-api-version': '2024-01-01' } }
            )
          : undefined
      ),
      http.post('*/api/recordings', () =>
        HttpResponse.json({ error: { code: 'UNAUTHORIZED', message: 'revoked' } }, { status: 401 })
      )
    )
    const s = await recordingOnDevice('rec-cccccccc')
    const queue = pageQueue(s)
    await queue.start()
    await queue.whenIdle()
    expect(auth.state).toEqual({ kind: 'expired', email: 'dr@example.org' })
    expect(await s.get('rec-cccccccc')).toMatchObject({ status: 'pending', attempts: 0 })
    queue.stop()
  })

  it('signs out through Supabase (this device only) and forgets the session', async () => {
    supabaseMode()
    await signIn('right horse battery')
    await waitFor(() => expect(auth.state.kind).toBe('signed-in'))
    auth.signOut()
    await waitFor(() => expect(calls('/logout')).toHaveLength(1))
    expect(new URL(calls('/logout')[0]!.url).searchParams.get('scope')).toBe('local')
    expect(calls('/logout')[0]!.auth).toMatch(/^Bearer /)
    expect(auth.state.kind).toBe('signed-out')
    await waitFor(() =>
      expect(Object.keys(localStorage).filter((k) => k.startsWith('sb-'))).toEqual([])
    )
  })

  it('says why a magic link did not sign in (expired) when the app opens from it', async () => {
    history.replaceState(
      null,
      '',
      '/#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired'
    )
    supabaseMode()
    render(<SignIn />)
    expect(screen.getByRole('alert').textContent).toMatch(/expired or was already used/)
    expect(location.hash).toBe('')
    expect(screen.getByRole('button', { name: 'Email me a sign-in link' })).toBeTruthy()
  })

  it('takes the session from the magic link the app is opened with', async () => {
    const linked = session('from-link', 'refresh-1')
    server.use(
      http.get(`${AUTH}/user`, ({ request }) =>
        request.headers.get('authorization') === `Bearer ${linked.access_token}`
          ? HttpResponse.json(linked.user)
          : HttpResponse.json(
              { code: 403, error_code: 'bad_jwt', msg: 'invalid JWT' },
              { status: 403, headers: { 'x-supabase-api-version': '2024-01-01' } }
            )
      )
    )
    const fragment = new URLSearchParams({
      access_token: linked.access_token,
      refresh_token: linked.refresh_token,
      expires_in: '3600',
      expires_at: String(linked.expires_at),
      token_type: 'bearer',
      type: 'magiclink',
    })
    history.replaceState(null, '', `/#${fragment}`)
    supabaseMode()
    await waitFor(() => expect(auth.state.kind).toBe('signed-in'))
    expect(tokenName(`Bearer ${await auth.getAccessToken()}`)).toBe('from-link')
    expect(auth.state).toMatchObject({ session: { email: 'dr@example.org' } })
    // The tokens do not stay in the address bar (history, screenshots).
    await waitFor(() => expect(location.hash).toBe(''))
  })
})
