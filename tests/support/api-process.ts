// Runs the real API as a child process (Node or Deno) for tests about what only a process can
// show: surviving SIGKILL, and the Deno entry. One DATA_DIR may be reused across restarts.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { freePort } from './scratch-stack.ts'

const execFileAsync = promisify(execFile)

export const ROOT = resolve(import.meta.dirname, '../..')
const BIN = join(ROOT, 'node_modules/.bin')
// The pinned Node (not whatever `node` is first on PATH) and Deno from npm.
const NODE = join(BIN, 'node')
const DENO = join(BIN, 'deno')
export const TEST_JWT_SECRET = 'process-test-secret-0123456789abcdef-xyz'

/** `bundle` runs api/dist/node.js, as the container image does (`npm run build` first). */
export type Runtime = 'node' | 'deno' | 'bundle'

/** One line of the API's stdout: the JSON object when it parses, else `{ msg: text }`. */
export type LogLine = { msg?: string; level?: string; [key: string]: unknown }

export type StartOptions = {
  dataDir: string
  sttBaseUrl?: string
  runtime?: Runtime
  /** Extra or overriding environment variables. */
  env?: Record<string, string>
  readyTimeoutMs?: number
  /** With runtime `bundle`: the bundled file to run (default api/dist/node.js). */
  bundle?: string
  /** Prefix of this process's lines when echoed (see SCRIBE_TEST_ECHO). */
  label?: string
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null }

/** Env for the child: only what it needs, so the developer's own settings never leak in. */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {
    PATH: `${BIN}:${process.env.PATH ?? ''}`,
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'test',
    NO_COLOR: '1',
  }
  if (process.env.TMPDIR) base.TMPDIR = process.env.TMPDIR
  if (process.env.DENO_DIR) base.DENO_DIR = process.env.DENO_DIR
  return { ...base, ...extra }
}

/**
 * `node --import tsx` rather than the `tsx` CLI: the CLI runs the app in a second process and
 * relays signals, so a SIGKILL would kill the relay and leave the API running.
 */
function command(
  runtime: Runtime,
  entry: 'api' | 'cli',
  bundle = 'api/dist/node.js'
): [string, string[]] {
  if (runtime === 'deno') return [DENO, ['run', '-A', 'api/src/deno.ts']]
  if (runtime === 'bundle' && entry === 'api') return [NODE, [bundle]]
  return [NODE, ['--import', 'tsx', entry === 'api' ? 'api/src/node.ts' : 'api/src/cli/user.ts']]
}

/** Creates (or resets) a local account with the CLI, before the API opens the same DATA_DIR. */
export async function createUser(
  dataDir: string,
  email: string,
  password: string,
  env: Record<string, string> = {}
) {
  const [cmd, args] = command('node', 'cli')
  const { stdout } = await execFileAsync(cmd, [...args, 'add', email], {
    cwd: ROOT,
    env: childEnv({ DATA_DIR: dataDir, USER_PASSWORD: password, ...env }),
    timeout: 60_000,
  })
  return stdout.trim()
}

export { freePort }

// If the test process ends without its afterAll (a crash, a timeout), take the APIs with it.
const live = new Set<number>()
process.once('exit', () => {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
})

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export type ApiProcess = Awaited<ReturnType<typeof startApi>>

export async function startApi(opts: StartOptions) {
  const runtime = opts.runtime ?? 'node'
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const env = childEnv({
    DATA_DIR: opts.dataDir,
    PORT: String(port),
    JWT_SECRET: TEST_JWT_SECRET,
    JOB_LEASE_SECONDS: '5',
    LOG_LEVEL: 'debug',
    // The test machine's free space is not what these tests are about.
    MIN_FREE_DISK_MB: '0',
    ...(opts.sttBaseUrl ? { STT_BASE_URL: opts.sttBaseUrl, STT_MODEL: 'whisper-1' } : {}),
    ...opts.env,
  })
  const [cmd, args] = command(runtime, 'api', opts.bundle)
  const child: ChildProcess = spawn(cmd, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a kill reaches anything it may have started.
    detached: true,
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not start ${cmd}`)
  live.add(pid)

  const logs: LogLine[] = []
  const stderr: string[] = []
  const watchers = new Set<() => void>()
  const echo = process.env.SCRIBE_TEST_ECHO === '1'
  const label = opts.label ?? runtime

  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine
    try {
      const parsed: unknown = JSON.parse(text)
      line =
        parsed && typeof parsed === 'object' && !Array.isArray(parsed)
          ? (parsed as LogLine)
          : { msg: text }
    } catch {
      line = { msg: text }
    }
    logs.push(line)
    if (echo) console.log(`[${label}] ${text}`)
    for (const w of [...watchers]) w()
  })
  createInterface({ input: child.stderr! }).on('line', (text) => {
    stderr.push(text)
    if (echo) console.error(`[${label}!] ${text}`)
  })

  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal }))
  )
  let exit: Exit | undefined
  void exited.then((e) => {
    exit = e
    live.delete(pid)
    for (const w of [...watchers]) w()
  })

  const describe = () =>
    `${label} (pid ${pid}) logs:\n${logs
      .slice(-20)
      .map((l) => JSON.stringify(l))
      .join('\n')}\nstderr:\n${stderr.slice(-20).join('\n')}`

  /** Resolves with the first log line (past or future) matching `predicate`. */
  function waitFor(
    predicate: (line: LogLine) => boolean,
    timeoutMs = 30_000,
    what = 'a log line'
  ): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      let seen = 0
      const check = () => {
        for (; seen < logs.length; seen++) {
          const line = logs[seen]!
          if (predicate(line)) return done(() => resolve(line))
        }
        if (exit)
          return done(() => reject(new Error(`${label} exited before ${what}\n${describe()}`)))
      }
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out waiting for ${what}\n${describe()}`))),
        timeoutMs
      )
      const done = (fn: () => void) => {
        clearTimeout(timer)
        watchers.delete(check)
        fn()
      }
      watchers.add(check)
      check()
    })
  }

  const signal = (sig: NodeJS.Signals) => {
    if (exit) return
    try {
      process.kill(-pid!, sig)
    } catch {
      child.kill(sig)
    }
  }

  /** Sends `sig` to the process group and waits until the API has exited. */
  async function kill(sig: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    signal(sig)
    return exited
  }

  /** SIGTERM, then SIGKILL if the API has not exited within `graceMs`. */
  async function stop(graceMs = 15_000): Promise<Exit & { forced: boolean }> {
    if (exit) return { ...exit, forced: false }
    signal('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)))
    const first = await Promise.race([exited, timeout])
    clearTimeout(timer)
    if (first !== 'timeout') return { ...first, forced: false }
    return { ...(await kill('SIGKILL')), forced: true }
  }

  const started = Date.now()
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000
  for (;;) {
    if (exit)
      throw new Error(`${label} exited while starting (${JSON.stringify(exit)})\n${describe()}`)
    const ok = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status === 200,
      () => false
    )
    if (ok) break
    if (Date.now() - started > readyTimeoutMs) {
      await kill()
      throw new Error(`${label} was not ready within ${readyTimeoutMs} ms\n${describe()}`)
    }
    await sleep(100)
  }
  const startupMs = Date.now() - started

  const authHeaders = (token: string) => ({ authorization: `Bearer ${token}` })

  async function login(email: string, password: string): Promise<string> {
    const res = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`)
    return ((await res.json()) as { access_token: string }).access_token
  }

  /**
   * POST /api/recordings with the bytes as the `audio` file of a multipart form. The file name
   * travels on to the speech-to-text request, so a distinct one tells recordings apart there.
   */
  function upload(
    token: string,
    bytes: Uint8Array,
    headers: Record<string, string> = {},
    opts: { filename?: string; fields?: Record<string, string> } = {}
  ): Promise<Response> {
    const form = new FormData()
    form.append(
      'audio',
      new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }),
      opts.filename ?? 'consultation.wav'
    )
    for (const [k, v] of Object.entries(opts.fields ?? {})) form.append(k, v)
    return fetch(`${baseUrl}/api/recordings`, {
      method: 'POST',
      body: form,
      headers: { ...authHeaders(token), ...headers },
    })
  }

  async function getJson<T>(token: string, path: string): Promise<T> {
    const res = await fetch(`${baseUrl}${path}`, { headers: authHeaders(token) })
    if (res.status !== 200)
      throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`)
    return (await res.json()) as T
  }

  return {
    runtime,
    pid,
    port,
    baseUrl,
    startupMs,
    logs,
    stderr,
    exited,
    get exit() {
      return exit
    },
    kill,
    stop,
    waitFor,
    login,
    upload,
    getJson,
    authHeaders,
  }
}
