// What the server tells the PWA before anyone signs in (GET /api/config): which sign-in to show.
// Kept in localStorage so an offline start (the app shell from the service worker) still knows.
import type { PublicConfig } from '../../../api/src/contract/auth.ts'

export type { PublicConfig }
export type SupabaseAuthConfig = Extract<PublicConfig['auth'], { mode: 'supabase' }>

const KEY = 'medic-scribe.config'
const LOCAL: PublicConfig = { auth: { mode: 'local' } }
/** An offline start should not wait long for a server that cannot answer. */
const TIMEOUT_MS = 4_000

/** The contract's shape, checked by hand: the PWA takes only types from the contract (no zod). */
function parse(value: unknown): PublicConfig | null {
  const auth = parseAuth(value)
  if (!auth) return null
  const opus = (value as { recording?: { opus?: unknown } }).recording?.opus
  return typeof opus === 'boolean' ? { ...auth, recording: { opus } } : auth
}

function parseAuth(value: unknown): PublicConfig | null {
  const a = (value as { auth?: Record<string, unknown> } | null)?.auth
  if (a?.mode === 'local') return LOCAL
  if (
    a?.mode === 'supabase' &&
    typeof a.supabase_url === 'string' &&
    (typeof a.supabase_anon_key === 'string' || a.supabase_anon_key === null)
  ) {
    return {
      auth: {
        mode: 'supabase',
        supabase_url: a.supabase_url,
        supabase_anon_key: a.supabase_anon_key,
      },
    }
  }
  return null
}

function cached(): PublicConfig | null {
  try {
    return parse(JSON.parse(localStorage.getItem(KEY) ?? 'null'))
  } catch {
    return null
  }
}

let loaded: PublicConfig | null = null

/**
 * Whether the server lets this PWA record Opus: only when it says so. A server that does not say
 * (older than Opus uploads) is sent 16 kHz WAV, which every version and engine reads.
 */
export function opusRecordingAllowed(): boolean {
  return (loaded ?? cached())?.recording?.opus === true
}

/** The server's answer; else the last one seen on this device; else local mode. */
export async function loadPublicConfig(fetchImpl: typeof fetch = fetch): Promise<PublicConfig> {
  loaded = await fetchPublicConfig(fetchImpl)
  return loaded
}

async function fetchPublicConfig(fetchImpl: typeof fetch): Promise<PublicConfig> {
  try {
    const res = await fetchImpl('/api/config', {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    const config = res.ok ? parse(await res.json()) : null
    if (config) {
      localStorage.setItem(KEY, JSON.stringify(config))
      return config
    }
  } catch {
    // offline, or not our server: fall back below
  }
  return cached() ?? LOCAL
}
