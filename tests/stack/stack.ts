// What the stack tests share: how to reach the edge (HTTPS, trusting the local CA), sign in,
// upload, listen on the socket, and run docker commands against the suite's containers.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { Agent, FormData, fetch as undiciFetch } from 'undici'
import type { RequestInit as UndiciRequestInit } from 'undici'
import WebSocket from 'ws'
import { composeArgs } from '../../ops/lib/compose.ts'

export type StackInfo = {
  projectName: string
  httpPort: number
  httpsPort: number
  caCert: string
  email: string
  password: string
  env: Record<string, string>
  /** Overlays in compose/ beyond compose.yml + compose.local.yml (the chaos stack's). */
  extraFiles?: string[]
}

export type SettledRecording = { status: string; note_id: string | null }

const exec = promisify(execFile)

export function connect(stack: StackInfo) {
  const ca = readFileSync(stack.caCert)
  const dispatcher = new Agent({ connect: { ca }, bodyTimeout: 120_000, headersTimeout: 120_000 })
  const base = `https://localhost:${stack.httpsPort}`
  const container = (service: string) => `${stack.projectName}-${service}-1`
  const stackArgs = composeArgs('local', {
    project: stack.projectName,
    envFile: null,
    extraFiles: stack.extraFiles ?? [],
  })

  /** Waits until docker reports the service's container healthy (a restart, a start). */
  const healthy = (service: string, timeoutMs = 120_000) =>
    until(
      `${service} healthy`,
      async () =>
        (await docker('inspect', '-f', '{{.State.Health.Status}}', container(service))) ===
        'healthy',
      timeoutMs
    )

  const request = (path: string, init: UndiciRequestInit = {}) =>
    undiciFetch(`${base}${path}`, { ...init, dispatcher })

  /** Signs in like a client would: on 429 from the edge's sign-in limit, waits and retries. */
  async function login(): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const res = await request('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: stack.email, password: stack.password }),
      })
      if (res.status === 200) return ((await res.json()) as { access_token: string }).access_token
      if (res.status !== 429 || attempt >= 15)
        throw new Error(`login answered ${res.status}: ${await res.text()}`)
      await res.arrayBuffer()
      await new Promise((r) => setTimeout(r, 7_000))
    }
  }

  function upload(token: string, audio: Uint8Array, headers: Record<string, string> = {}) {
    const form = new FormData()
    form.append(
      'audio',
      new Blob([audio as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }),
      'consultation.wav'
    )
    return request('/api/recordings', {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${token}`, ...headers },
    })
  }

  async function json<T>(token: string, path: string): Promise<T> {
    const res = await request(path, { headers: { authorization: `Bearer ${token}` } })
    if (!res.ok) throw new Error(`${path} answered ${res.status}`)
    return (await res.json()) as T
  }

  /** A socket through the edge that records every event with its arrival time. */
  async function socket(token: string) {
    const ws = new WebSocket(`wss://localhost:${stack.httpsPort}/ws?access_token=${token}`, { ca })
    const events: { type: string; recording_id?: string; note_id?: string; receivedAt: number }[] =
      []
    ws.on('message', (d) => {
      const text = String(d)
      if (text.startsWith('{'))
        events.push({ ...(JSON.parse(text) as { type: string }), receivedAt: Date.now() })
    })
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return { ws, events }
  }

  const docker = async (...args: string[]) =>
    (await exec('docker', args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim()
  const composeCmd = (...args: string[]) =>
    exec('docker', [...stackArgs, ...args], {
      env: { ...process.env, ...stack.env },
      maxBuffer: 16 * 1024 * 1024,
    })

  /** Uploads `audio` and waits (up to 3 minutes) until its recording is done or failed. */
  async function uploadAndSettle(token: string, audio: Uint8Array) {
    const res = await upload(token, audio)
    // A plain throw rather than vitest's expect: the chaos runner uses this module outside vitest.
    if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`)
    const { id } = (await res.json()) as { id: string }
    const rec = await settled(token, id, 'the recording to settle')
    return { id, rec }
  }

  /** Waits (up to 3 minutes) until the recording `id` is done or failed. */
  function settled(token: string, id: string, what: string) {
    return until(
      what,
      async () => {
        const r = await json<SettledRecording>(token, `/api/recordings/${id}`)
        return r.status === 'done' || r.status === 'failed' ? r : undefined
      },
      180_000
    )
  }

  /** `SELECT count(*)` of a table, asked of postgres directly. */
  async function countRows(table: string): Promise<number> {
    const out = await docker(
      'exec',
      container('postgres'),
      'psql',
      '-U',
      'scribe',
      '-d',
      'scribe',
      '-At',
      '-c',
      `SELECT count(*) FROM ${table}`
    )
    return Number(out)
  }

  /** How many files the api's audio volume holds. */
  async function countAudioFiles(): Promise<number> {
    return Number(
      await docker('exec', container('api'), 'sh', '-c', 'find /data/audio -type f | wc -l')
    )
  }

  return {
    base,
    request,
    login,
    upload,
    uploadAndSettle,
    settled,
    json,
    socket,
    container,
    docker,
    compose: composeCmd,
    countRows,
    countAudioFiles,
    healthy,
    ca,
  }
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000
): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}
