// The API probe against the running stack, through its edge: three accounts of the scan's own (two clinicians, an admin)
// (created or reset in the api container, like `make user-stack`), one short recording for the
// first so there are ids to try (made once, reused on later runs), then probeApi.
import { randomBytes } from 'node:crypto'
import { Agent, fetch } from 'undici'
import { $, fs } from 'zx'
import { CERTS_DIR } from '../../lib/compose.ts'
import { StopError } from '../../lib/errors.ts'
import { localCertPaths } from '../../lib/local-ca.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { detail } from '../../lib/step.ts'
import { probeApi } from './api-probe.ts'
import type { HttpAnswer, ProbeTarget, Requester } from './api-probe.ts'
import { unlessPart } from './context.ts'
import type { ScanContext } from './context.ts'
import { routeTable } from './route-table.ts'

/** Two clinicians (the owner and another user), then an admin for the admin-only routes. */
export const PROBE_ACCOUNTS = [
  'scan-probe-a@scan.invalid',
  'scan-probe-b@scan.invalid',
  'scan-probe-admin@scan.invalid',
] as const

/** The edge's address: --url, else the local edge on 127.0.0.1, else SERVER_NAME. */
export function edgeBase(c: ScanContext, url?: string): string {
  if (url) return url.replace(/\/$/, '')
  return c.env.STACK_MODE === 'local'
    ? `https://localhost:${c.env.HTTPS_PORT ?? 8443}`
    : `https://${c.env.SERVER_NAME}`
}

/** A requester through the edge; a connection the edge closes counts as status 0. */
export async function edgeRequester(base: string, stackMode: 'local' | 'prod'): Promise<Requester> {
  const caFile = localCertPaths(CERTS_DIR).caCert
  const ca =
    stackMode === 'local' && (await fs.pathExists(caFile)) ? await fs.readFile(caFile) : undefined
  const agent = () =>
    new Agent({ connect: ca ? { ca } : {}, headersTimeout: 60_000, bodyTimeout: 60_000 })
  const shared = agent()
  // The edge rate-limits /api/ (429): wait and ask again, as a client would.
  const request: Requester = async (method, path, init = {}) => {
    for (let attempt = 0; ; attempt++) {
      const answer = await once(method, path, init)
      if (answer.status !== 429 || attempt >= 30) return answer
      await new Promise((r) => setTimeout(r, 1_000))
    }
  }
  const once: Requester = async (method, path, init = {}): Promise<HttpAnswer> => {
    // A body the edge refuses half-way leaves its connection unusable: such calls get their own.
    const big = init.body !== undefined && init.body.length > 1_000_000
    const dispatcher = big ? agent() : shared
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: init.headers ?? {},
        ...(init.body !== undefined ? { body: init.body } : {}),
        dispatcher,
        redirect: 'manual',
        signal: AbortSignal.timeout(60_000),
      })
      return {
        status: res.status,
        type: res.headers.get('content-type') ?? '',
        body: await res.text(),
      }
    } catch (err) {
      return { status: 0, type: '', body: String((err as Error).cause ?? err) }
    } finally {
      if (big) await dispatcher.destroy().catch(() => undefined)
    }
  }
  return request
}

/** A silent 16 kHz mono WAV: enough for an upload the pipeline turns into a (empty) note. */
export function silentWav(seconds: number): Uint8Array {
  const samples = 16_000 * seconds
  const buf = Buffer.alloc(44 + samples * 2)
  buf.write('RIFF', 0)
  buf.writeUInt32LE(36 + samples * 2, 4)
  buf.write('WAVEfmt ', 8)
  buf.writeUInt32LE(16, 16)
  buf.writeUInt16LE(1, 20)
  buf.writeUInt16LE(1, 22)
  buf.writeUInt32LE(16_000, 24)
  buf.writeUInt32LE(32_000, 28)
  buf.writeUInt16LE(2, 32)
  buf.writeUInt16LE(16, 34)
  buf.write('data', 36)
  buf.writeUInt32LE(samples * 2, 40)
  return new Uint8Array(buf)
}

async function apiContainer(project: string): Promise<string> {
  const out = await $({
    quiet: true,
    timeout: '30s',
  })`docker ps -q --filter ${`label=com.docker.compose.project=${project}`} --filter label=com.docker.compose.service=api`
  const id = out.stdout.split('\n').find(Boolean)
  if (!id)
    throw new StopError(
      `no running api container in ${project}`,
      'start the stack (make up), or pass --no-probe'
    )
  return id
}

async function login(request: Requester, email: string, password: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const a = await request('POST', '/api/auth/login', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    if (a.status === 200) return (JSON.parse(a.body) as { access_token: string }).access_token
    // The edge limits sign-ins; wait like a client would.
    if (a.status !== 429 || attempt >= 15)
      throw new StopError(`probe sign-in as ${email} answered ${a.status}`, a.body.slice(0, 200))
    await new Promise((r) => setTimeout(r, 7_000))
  }
}

type Rec = { id: string; status: string; note_id: string | null }

/** The first account's ids: its recordings and notes (one recording uploaded if it has none). */
async function ownerIds(request: Requester, token: string): Promise<Record<string, string[]>> {
  const auth = { authorization: `Bearer ${token}` }
  const list = async () =>
    (
      JSON.parse((await request('GET', '/api/recordings', { headers: auth })).body) as {
        items: Rec[]
      }
    ).items
  let recs = await list()
  if (!recs.length) {
    const form = new FormData()
    form.append(
      'audio',
      new Blob([silentWav(2) as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }),
      'probe.wav'
    )
    const encoded = new Response(form)
    const type = encoded.headers.get('content-type') ?? ''
    const body = new Uint8Array(await encoded.arrayBuffer())
    const up = await request('POST', '/api/recordings', {
      headers: { ...auth, 'content-type': type },
      body,
    })
    if (up.status !== 202)
      throw new StopError(`probe upload answered ${up.status}`, up.body.slice(0, 200))
    detail('uploaded one 2 s silent recording for the probe account (kept for later runs)')
  }
  // Wait (up to 2 minutes) for a note, so the note routes have an id of the owner to try.
  for (
    const end = Date.now() + 120_000;
    Date.now() < end;
    await new Promise((r) => setTimeout(r, 1_000))
  ) {
    recs = await list()
    if (recs.every((r) => r.status === 'done' || r.status === 'failed')) break
  }
  const notes = JSON.parse((await request('GET', '/api/notes', { headers: auth })).body) as {
    items?: { id: string }[]
  }
  return {
    recordings: recs.map((r) => r.id),
    notes: (notes.items ?? []).map((n) => n.id),
  }
}

/** The stack's edge: the scan's two accounts signed in, the first one's ids, the app's routes. */
async function stackTarget(c: ScanContext & { url?: string | undefined }): Promise<ProbeTarget> {
  const base = edgeBase(c, c.url)
  const request = await edgeRequester(base, c.env.STACK_MODE)
  const api = await apiContainer(c.project)
  const tokens: string[] = []
  for (const email of PROBE_ACCOUNTS) {
    const password = randomBytes(18).toString('base64url')
    const admin = email.includes('-admin@')
    const $$ = $({ quiet: true, timeout: '1m' })
    await $$`docker exec -e ${`USER_PASSWORD=${password}`} ${api} node /app/user.js add ${email} ${admin ? ['--admin'] : []}`
    // The clinicians stay clinicians whatever an earlier run or an operator did to them.
    if (!admin) await $$`docker exec ${api} node /app/user.js revoke-admin ${email}`
    tokens.push(await login(request, email, password))
  }
  const ids = await ownerIds(request, tokens[0]!)
  const maxMb = Number(c.env.raw.MAX_UPLOAD_MB ?? 200)
  return {
    base,
    routes: routeTable(),
    request,
    owner: { token: tokens[0]!, ids },
    other: { token: tokens[1]! },
    admin: { token: tokens[2]! },
    jwtSecret: c.env.raw.JWT_SECRET,
    // Past the edge's own limit (MAX_UPLOAD_MB + 1 MiB), so the edge must refuse it up front.
    oversizedBytes: (maxMb + 2) * 1024 * 1024,
  }
}

export const apiProbe = defineStep<ScanContext & { url?: string | undefined }>({
  name: 'API probe through the edge',
  // It creates (or resets) three accounts and may upload one recording.
  changes: true,
  plan: (c) =>
    `probe every API route through ${edgeBase(c, c.url)} with the accounts ${PROBE_ACCOUNTS.join(', ')}`,
  skip: unlessPart('probe'),
  run: async (c) => {
    const target = c.probeTarget ? await c.probeTarget(c) : await stackTarget(c)
    const result = await probeApi(target)
    c.findings.push(...result.findings)
    c.warnings.push(...result.notes.map((n) => `probe: ${n}`))
    c.probeResult = { ...result, base: target.base, routes: target.routes.length }
    const ids = target.owner.ids
    c.checked.push({
      part: 'API probe',
      what: `${target.routes.length} routes, ${result.calls.length} calls through ${target.base}; owner ids: ${ids.recordings?.length ?? 0} recordings, ${ids.notes?.length ?? 0} notes`,
    })
    return `${target.routes.length} routes, ${result.calls.length} calls, ${result.findings.length} findings`
  },
})
