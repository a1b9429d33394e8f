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

// Plain JavaScript for `node --input-type=module -e`, given its options as JSON on stdin (the
// password stays out of the command line and the container's environment): sign in, list
// notes, read one, check the served version, then keep a gentle request stream for watchMs and
// count what failed.
const SCRIPT = String.raw`
import { readFileSync } from 'node:fs'
const o = JSON.parse(readFileSync(0, 'utf8'))
const base = o.edgeUrl
const out = { smoke: { ok: false, step: 'sign in', detail: '', notes: 0 }, version: null, requests: 0, failures: 0, byStatus: {} }
const count = (status) => { out.requests++; out.byStatus[status] = (out.byStatus[status] ?? 0) + 1; if (status === 'error' || status >= 500) out.failures++ }
const call = async (path, init = {}) => {
  try { const res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(10000) }); count(res.status); return res }
  catch (err) { count('error'); return { ok: false, status: 0, text: async () => String(err), json: async () => ({}) } }
}
try {
  const login = await call('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: o.email, password: o.password }) })
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
  if (o.expectVersion && out.version !== o.expectVersion) throw new Error('the edge serves ' + out.version + ', not ' + o.expectVersion)
  out.smoke.ok = true
  out.smoke.step = 'done'
  const end = Date.now() + Number(o.watchMs || 0)
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
  const input = JSON.stringify({
    edgeUrl: 'https://edge:8443',
    email: o.email,
    password: o.password,
    expectVersion: o.expectVersion ?? '',
    watchMs: o.watchMs,
  })
  const out = await $({
    quiet: true,
    nothrow: true,
    input,
    timeout: `${Math.ceil(o.watchMs / 1000) + 90}s`,
  })`docker run --rm -i --network ${o.network} --read-only --cap-drop ALL --security-opt no-new-privileges:true -e NODE_TLS_REJECT_UNAUTHORIZED=0 --entrypoint node ${o.image} --no-warnings --input-type=module -e ${SCRIPT}`
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
