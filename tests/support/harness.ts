import { serve } from '@hono/node-server'
import { createNodeWebSocket } from '@hono/node-ws'
import { Hono } from 'hono'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../api/src/config.ts'
import { PGlite } from '@electric-sql/pglite'
import { createPgliteDatabase } from '../../api/src/adapters/pglite.ts'
import { createPostgresDatabase } from '../../api/src/adapters/postgres.ts'
import { openFileStore } from '../../api/src/adapters/runtime.ts'
import { createBusboyReader } from '../../api/src/adapters/busboy-multipart.ts'
import { createPromMetrics } from '../../api/src/adapters/prom-metrics.ts'
import { startScribe } from '../../api/src/scribe.ts'
import type { RuntimeParts } from '../../api/src/scribe.ts'
import { silentLogger } from '../../api/src/lib/logger.ts'
import type { Clock } from '../../api/src/lib/clock.ts'
import { createUserStore } from '../../api/src/store/users.ts'
import { hashPassword } from '../../api/src/auth/passwords.ts'
import type { NoteWriter, SpeechToText, Transcript } from '../../api/src/providers/types.ts'
import { createExtractiveWriter } from '../../api/src/providers/writer/extractive.ts'
import { errorBody } from '../../api/src/errors.ts'
import { createContractLog } from './contract-check.ts'

export const PASSWORD = 'correct-horse-battery-staple'

/** A speech-to-text that answers from a script, for tests about the pipeline, not the provider. */
export function scriptedStt(
  utterances: string[] = [
    'I have had a pounding headache for three days and some dizziness.',
    'Your blood pressure is 150/95 and your heart rate is 88.',
    'This is likely hypertension.',
    'I will start amlodipine 5 mg once daily and we will follow up in two weeks.',
  ]
): SpeechToText & { calls: number } {
  const stt = {
    name: 'scripted',
    model: 'script-1',
    calls: 0,
    async transcribe(): Promise<Transcript> {
      stt.calls += 1
      return {
        provider: 'scripted',
        model: 'script-1',
        language: 'en',
        duration_s: utterances.length * 4,
        utterances: utterances.map((text, i) => ({
          id: `u${i + 1}`,
          speaker: `speaker_${i % 2}`,
          start: i * 4,
          end: i * 4 + 3.5,
          text,
        })),
      }
    },
  }
  return stt
}

export type HarnessOptions = {
  env?: Record<string, string>
  stt?: SpeechToText | undefined | 'none'
  writer?: NoteWriter
  clock?: Clock
  worker?: RuntimeParts['worker']
  concurrency?: number
  /** A PostgreSQL URL; without it the harness uses PGlite in memory. */
  databaseUrl?: string
}

// One initdb per test file: every harness's in-memory PGlite starts from a copy of it (0.3 s)
// instead of a new initdb (1.5-2.5 s on these machines).
let pgliteBase: Promise<Blob> | undefined
const freshPglite = () => {
  pgliteBase ??= PGlite.create().then(async (pg) => {
    const dump = await pg.dumpDataDir('none')
    await pg.close()
    return dump
  })
  return pgliteBase.then((loadDataDir) => createPgliteDatabase(undefined, { loadDataDir }))
}

export async function createHarness(opts: HarnessOptions = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'scribe-test-'))
  const config = parseConfig({
    NODE_ENV: 'test',
    DATA_DIR: dir,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    WORKER_CONCURRENCY: String(opts.concurrency ?? 1),
    JOB_LEASE_SECONDS: '30',
    ...opts.env,
  })
  const db = opts.databaseUrl ? await createPostgresDatabase(opts.databaseUrl) : await freshPglite()
  // The disk store by default; STORAGE=s3 in `env` (see support/s3-server.ts) for a bucket.
  const files = await openFileStore(config)
  // The real Node WebSocket adapter, so listen() gives sockets exactly as production does.
  const root = new Hono()
  const nodeWs = createNodeWebSocket({ app: root })
  let server: Server | undefined
  const stt = opts.stt === 'none' ? undefined : (opts.stt ?? scriptedStt())
  const scribe = await startScribe(config, {
    db,
    files,
    multipart: createBusboyReader(),
    metrics: createPromMetrics(),
    logger: silentLogger,
    upgradeWebSocket: nodeWs.upgradeWebSocket,
    jwtSecret: config.JWT_SECRET!,
    clock: opts.clock,
    providers: { stt, writer: opts.writer ?? createExtractiveWriter() },
    worker: { pollMs: 50, backoff: { baseMs: 20, capMs: 200 }, circuitOpenMs: 300, ...opts.worker },
  })
  root.route('/', scribe.app)
  // As the Node entry mounts it (api/src/node.ts).
  root.notFound((c) => c.json(errorBody('NOT_FOUND', 'no such route'), 404))
  const users = createUserStore(db)
  // Every answer, through request() or over the network, is held against the contract.
  const contract = createContractLog()

  /** Serves the app on 127.0.0.1 with WebSockets; returns the base URL. */
  async function listen(): Promise<string> {
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: contract.checked(root.fetch), port: 0, hostname: '127.0.0.1' }, () =>
        resolve(s as Server)
      ) as Server
    })
    nodeWs.injectWebSocket(server)
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  async function addUser(email: string) {
    const { id } = await users.upsertLocal(crypto.randomUUID(), email, await hashPassword(PASSWORD))
    const { token } = await scribe.tokens.issue({ id, email })
    return { id, email, token, auth: { authorization: `Bearer ${token}` } }
  }

  const request = async (input: string | Request, init?: RequestInit): Promise<Response> => {
    const res = await scribe.app.request(input, init)
    if (typeof input === 'string') await contract.record(init?.method ?? 'GET', input, res)
    else await contract.record(input.method, input.url, res)
    return res
  }

  function upload(
    token: string,
    audio: Uint8Array | Blob,
    fields: Record<string, string> = {},
    headers: Record<string, string> = {}
  ) {
    const form = new FormData()
    form.append(
      'audio',
      audio instanceof Blob
        ? audio
        : new Blob([audio as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }),
      'consultation.wav'
    )
    for (const [k, v] of Object.entries(fields)) form.append(k, v)
    return request('/api/recordings', {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${token}`, ...headers },
    })
  }

  /** Polls until the recording leaves the pipeline (done or failed). */
  async function settle(token: string, id: string, timeoutMs = 15_000) {
    const until = Date.now() + timeoutMs
    for (;;) {
      const res = await request(`/api/recordings/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      })
      const body = (await res.json()) as {
        status: string
        note_id: string | null
        reason: string | null
      }
      if (body.status === 'done' || body.status === 'failed') return body
      if (Date.now() > until)
        throw new Error(`recording ${id} still ${body.status} after ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  /** Every file under the audio and notes folders, temporary ones included. */
  async function filesOnDisk(): Promise<string[]> {
    const out: string[] = []
    for (const root of [config.AUDIO_DIR, config.NOTES_DIR]) {
      const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
      for (const entry of entries) {
        if (entry.isFile()) out.push(join(entry.parentPath, entry.name))
      }
    }
    return out
  }

  async function rowCounts() {
    const [r] = await db.query<{ recordings: number; jobs: number; notes: number }>(
      'SELECT (SELECT count(*)::int FROM recordings) AS recordings, (SELECT count(*)::int FROM jobs) AS jobs, (SELECT count(*)::int FROM notes) AS notes'
    )
    return r!
  }

  return {
    config,
    db,
    files,
    scribe,
    /** The app itself: its answers are not checked against the contract (use request()). */
    app: scribe.app,
    contract,
    request,
    upload,
    settle,
    addUser,
    filesOnDisk,
    rowCounts,
    listen,
    async close() {
      nodeWs.wss.clients.forEach((c) => c.terminate())
      await new Promise((r) => (server ? server.close(r) : r(undefined)))
      await scribe.close()
      await rm(dir, { recursive: true, force: true })
      contract.assertClean()
    },
  }
}
export type Harness = Awaited<ReturnType<typeof createHarness>>
