// The smoke check and the watch traffic, run from a throwaway container on the stack's network
// (the api image has node), so they reach the edge the same way on a remote target as here:
// https://edge:8443, the edge's own TLS listener (its certificate is for the public name, hence
// no verification on this internal hop).
import { $ } from 'zx'

export type ProbeResult = {
  smoke: { ok: boolean; step: string; detail: string; notes: number }
  version: string | null
  requests: number
  failures: number
  byStatus: Record<string, number>
}

// Plain JavaScript for `node --input-type=module -e`: sign in, list notes, read one, check the
// served version, then keep a gentle request stream for WATCH_MS and count what failed.
const SCRIPT = String.raw`
const base = process.env.EDGE_URL
const out = { smoke: { ok: false, step: 'sign in', detail: '', notes: 0 }, version: null, requests: 0, failures: 0, byStatus: {} }
const count = (status) => { out.requests++; out.byStatus[status] = (out.byStatus[status] ?? 0) + 1; if (status === 'error' || status >= 500) out.failures++ }
const call = async (path, init = {}) => {
  try { const res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(10000) }); count(res.status); return res }
  catch (err) { count('error'); return { ok: false, status: 0, text: async () => String(err), json: async () => ({}) } }
}
try {
  const login = await call('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: process.env.SMOKE_EMAIL, password: process.env.SMOKE_PASSWORD }) })
  if (!login.ok) throw new Error('sign-in answered ' + login.status + ': ' + (await login.text()).slice(0, 120))
  const auth = { authorization: 'Bearer ' + (await login.json()).access_token }
  out.smoke.step = 'list notes'
  const list = await call('/api/notes?limit=5', { headers: auth })
  if (!list.ok) throw new Error('note list answered ' + list.status)
  const items = (await list.json()).items ?? []
  out.smoke.notes = items.length
  if (items[0]) {
    out.smoke.step = 'read a note'
    const one = await call('/api/notes/' + items[0].id, { headers: auth })
    if (!one.ok) throw new Error('note read answered ' + one.status)
  }
  out.smoke.step = 'served version'
  const live = await call('/health/live')
  out.version = live.ok ? ((await live.json()).version ?? null) : null
  if (process.env.EXPECT_VERSION && out.version !== process.env.EXPECT_VERSION) throw new Error('the edge serves ' + out.version + ', not ' + process.env.EXPECT_VERSION)
  out.smoke.ok = true
  out.smoke.step = 'done'
  const end = Date.now() + Number(process.env.WATCH_MS || 0)
  while (Date.now() < end) {
    await call('/health/live')
    await call('/api/notes?limit=1', { headers: auth })
    await new Promise((r) => setTimeout(r, 250))
  }
} catch (err) { out.smoke.detail = String(err.message ?? err) }
console.log(JSON.stringify(out))
`

export type ProbeOptions = {
  network: string
  image: string
  email: string
  password: string
  expectVersion?: string
  watchMs: number
}

export async function runProbe(o: ProbeOptions): Promise<ProbeResult> {
  const env = [
    'EDGE_URL=https://edge:8443',
    `SMOKE_EMAIL=${o.email}`,
    `WATCH_MS=${o.watchMs}`,
    `EXPECT_VERSION=${o.expectVersion ?? ''}`,
    'NODE_TLS_REJECT_UNAUTHORIZED=0',
  ].flatMap((e) => ['-e', e])
  const out = await $({
    quiet: true,
    nothrow: true,
    timeout: `${Math.ceil(o.watchMs / 1000) + 90}s`,
    env: { ...process.env, SMOKE_PASSWORD: o.password },
  })`docker run --rm --network ${o.network} --read-only --cap-drop ALL --security-opt no-new-privileges:true -e SMOKE_PASSWORD ${env} --entrypoint node ${o.image} --no-warnings --input-type=module -e ${SCRIPT}`
  const line = out.stdout.trim().split('\n').at(-1) ?? ''
  try {
    return JSON.parse(line) as ProbeResult
  } catch {
    const why = (out.stderr.trim().split('\n').at(-1) ?? `exit ${out.exitCode}`).slice(0, 200)
    return {
      smoke: { ok: false, step: 'start the probe', detail: why, notes: 0 },
      version: null,
      requests: 0,
      failures: 0,
      byStatus: {},
    }
  }
}
