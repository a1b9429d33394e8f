import { afterEach, describe, expect, it } from 'vitest'
import { loadPublicConfig, opusRecordingAllowed } from './public-config.ts'

afterEach(() => localStorage.clear())

const answering = (status: number, body: unknown) =>
  (async () => Response.json(body, { status })) as unknown as typeof fetch
const offline = (async () => {
  throw new TypeError('Failed to fetch')
}) as unknown as typeof fetch

const supabase = {
  auth: { mode: 'supabase', supabase_url: 'https://abc.supabase.co', supabase_anon_key: 'anon' },
}

describe('loadPublicConfig', () => {
  it("takes the server's mode and remembers it for an offline start", async () => {
    expect(await loadPublicConfig(answering(200, supabase))).toEqual(supabase)
    expect(await loadPublicConfig(offline)).toEqual(supabase)
  })

  it('falls back to local mode with nothing known, or an answer of another shape', async () => {
    expect(await loadPublicConfig(offline)).toEqual({ auth: { mode: 'local' } })
    expect(await loadPublicConfig(answering(200, { auth: { mode: 'ldap' } }))).toEqual({
      auth: { mode: 'local' },
    })
    expect(await loadPublicConfig(answering(404, { error: { code: 'NOT_FOUND' } }))).toEqual({
      auth: { mode: 'local' },
    })
  })

  it('lets the PWA record Opus only when the server says so', async () => {
    await loadPublicConfig(answering(200, { auth: { mode: 'local' } }))
    expect(opusRecordingAllowed()).toBe(false) // an older server: WAV, which it reads
    const allowing = { auth: { mode: 'local' }, recording: { opus: true } }
    expect(await loadPublicConfig(answering(200, allowing))).toEqual(allowing)
    expect(opusRecordingAllowed()).toBe(true)
    await loadPublicConfig(answering(200, { auth: { mode: 'local' }, recording: { opus: false } }))
    expect(opusRecordingAllowed()).toBe(false)
  })
})
