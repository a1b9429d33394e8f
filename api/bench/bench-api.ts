// `npm run bench:api [-- --quick]`: how the API compares, in one run on one machine, with
//   1. a bare node:http server on GET /health/live (req/s and latency, autocannon), and on an
//      authenticated read, GET /api/notes?limit=20 (the bare server answers the same bytes);
//   1c. a bare `ws` server, for one event fanned out to 1 000 sockets;
//   2. writing the same bytes straight to disk, for large uploads one at a time and 4 and 10
//      at once (MB/s);
//   3. its own idle memory, while taking several large uploads at once (peak RSS).
// Figures are ratios against a baseline measured in the same run, since absolute numbers
// depend on the machine. MB means MiB (2^20 bytes) throughout, as MAX_UPLOAD_MB does.
// Linux only (reads /proc). Children and temporary files are removed even on failure.
import autocannon from 'autocannon'
import { existsSync, rmSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, rm, statfs, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomUUID } from 'node:crypto'
import type { Child } from './processes.ts'
import {
  cpuSeconds,
  freePort,
  killAllNow,
  readMemory,
  resetPeakRss,
  runToEnd,
  sampleRss,
  spawnChild,
  stopAll,
  stopChild,
  waitForHttp,
} from './processes.ts'
import { MiB, uploadRecording, writeDirect, writeWav } from './uploads.ts'
import { closeSockets, measureFanout, openSockets } from './fanout.ts'
import type { Fanout } from './fanout.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const BUNDLE = join(ROOT, 'api/dist/node.js')
const SOURCE = join(ROOT, 'api/src/node.ts')
const RESULTS = join(tmpdir(), 'medic-scribe-bench', 'latest.json')

const quick = process.argv.includes('--quick')
if (process.argv.includes('--help')) {
  console.log('usage: npm run bench:api [-- --quick]')
  process.exit(0)
}

const settings = quick
  ? {
      connections: 32,
      warmupS: 0.5,
      durationS: 1,
      notesDurationS: 1,
      sockets: 200,
      fanoutRounds: 2,
      fileMB: 20,
      uploadRuns: 3,
      concurrentUploads: 3,
    }
  : {
      connections: 32,
      warmupS: 3,
      durationS: 10,
      notesDurationS: 5,
      sockets: 1000,
      fanoutRounds: 3,
      fileMB: 100,
      uploadRuns: 5,
      concurrentUploads: 10,
    }
const MAX_UPLOAD_MB = 200
const PASSWORD = 'bench-password-not-secret'
const EMAIL = 'bench@example.com'

const startedAt = performance.now()
const loadAvg = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
const loadAtStart = loadAvg()
const elapsed = () => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`
const log = (msg: string) => console.log(`[${elapsed().padStart(7)}] ${msg}`)
const mb = (kb: number) => Math.round(kb / 1024)
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

let tempRoot: string | undefined
let cleaning: Promise<void> | undefined
/** Ends the children (and waits for them: a dying server may still be writing), then removes the temp folder. */
function cleanUp(graceMs: number): Promise<void> {
  cleaning ??= (async () => {
    await stopAll(graceMs)
    if (tempRoot) await rm(tempRoot, { recursive: true, force: true, maxRetries: 5 })
  })()
  return cleaning
}
// Last resort when the process exits some other way: nothing asynchronous can run here.
process.on('exit', () => {
  killAllNow()
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true, maxRetries: 5 })
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (cleaning) process.exit(130)
    console.error(`\n${signal}: stopping the servers and removing ${tempRoot ?? 'temp files'}`)
    void cleanUp(0).finally(() => process.exit(130))
  })
}

// Nothing that would select a real provider, database or another folder reaches the API.
function apiEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SYSTEMROOT']
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k]
  return {
    ...env,
    NODE_ENV: 'production',
    PORT: String(port),
    DATA_DIR: dataDir,
    JWT_SECRET: randomUUID() + randomUUID(),
    MAX_UPLOAD_MB: String(MAX_UPLOAD_MB),
    MIN_FREE_DISK_MB: '0',
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '0',
  }
}

type ApiServer = { child: Child; port: number; entry: string }

async function startApi(env: NodeJS.ProcessEnv): Promise<ApiServer> {
  const port = Number(env.PORT)
  const url = `http://127.0.0.1:${port}/health/live`
  const attempts: { entry: string; args: string[] }[] = []
  if (existsSync(BUNDLE)) {
    const built = statSync(BUNDLE)
      .mtime.toISOString()
      .replace(/\.\d+Z$/, 'Z')
    attempts.push({ entry: `built bundle api/dist/node.js (built ${built})`, args: [BUNDLE] })
  }
  // `node --import tsx` rather than the tsx CLI: the CLI runs the server in a grandchild
  // process, and the memory figures must be those of the process serving requests.
  attempts.push({
    entry: 'source via tsx (node --import tsx api/src/node.ts)',
    args: ['--import', 'tsx', SOURCE],
  })
  let lastError: unknown
  for (const attempt of attempts) {
    log(`starting the API: ${attempt.entry}`)
    const child = spawnChild('API', process.execPath, attempt.args, { env, cwd: ROOT })
    try {
      await waitForHttp(child, url)
      return { child, port, entry: attempt.entry }
    } catch (err) {
      lastError = err
      await stopChild(child, 2_000)
      const reason = String(err instanceof Error ? err.message : err)
        .split('\n')
        .find((l) => /error/i.test(l))
        ?.replace(/^\W+|\W+$/g, '')
      log(`  it did not start (${reason ?? 'see above'}); trying the next entry`)
    }
  }
  throw lastError
}

async function startBare(
  extraEnv: NodeJS.ProcessEnv = {}
): Promise<{ child: Child; port: number }> {
  const child = spawnChild(
    'bare node:http server',
    process.execPath,
    [join(ROOT, 'api/bench/bare-server.ts')],
    {
      env: { PATH: process.env.PATH, ...extraEnv },
      cwd: ROOT,
    }
  )
  const port = await new Promise<number>((resolvePort, reject) => {
    child.onLine((line) => {
      try {
        const parsed = JSON.parse(line) as { port?: number }
        if (parsed.port) resolvePort(parsed.port)
      } catch {
        // not the port line
      }
    })
    void child.exited.then((code) =>
      reject(new Error(`the bare server exited with ${code}:\n${child.tail()}`))
    )
  })
  await waitForHttp(child, `http://127.0.0.1:${port}/health/live`)
  return { child, port }
}

type LoadRun = {
  target: 'api' | 'bare'
  round: number
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  requests: number
  errors: number
  non2xx: number
  serverCpuUsPerReq: number
  clientCpuPct: number
}

async function load(
  target: 'api' | 'bare',
  port: number,
  pid: number,
  durationS: number,
  roundNo: number,
  path = '/health/live',
  headers: Record<string, string> = {}
): Promise<LoadRun> {
  const cpuBefore = await cpuSeconds(pid)
  const clientBefore = process.cpuUsage()
  const wallBefore = performance.now()
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    connections: settings.connections,
    duration: durationS,
    headers,
  })
  const wallS = (performance.now() - wallBefore) / 1000
  const client = process.cpuUsage(clientBefore)
  const serverCpu = (await cpuSeconds(pid)) - cpuBefore
  const requests = r.requests.total
  return {
    target,
    round: roundNo,
    reqPerSec: Math.round(requests / r.duration),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests,
    errors: r.errors,
    non2xx: r.non2xx,
    serverCpuUsPerReq: requests ? round((serverCpu * 1e6) / requests, 0) : 0,
    clientCpuPct: Math.round(((client.user + client.system) / 1e6 / wallS) * 100),
  }
}

type FanoutSummary = {
  sockets: number
  rounds: number
  api: Fanout[]
  bare: Fanout[]
  apiMedianSpreadMs: number
  bareMedianSpreadMs: number
  apiMedianLastMs: number
  bareMedianLastMs: number
  ratioSpreadApiOverBare: number
}

/**
 * 1b. GET /api/notes?limit=20 with a bearer token, against a bare server answering the same
 * bytes; 1c. one event to `settings.sockets` sockets, against a bare `ws` server. The API's event
 * is a real one: a small upload, whose `recording.queued` goes out through NOTIFY after commit.
 */
async function readAndFanout(api: ApiServer, smallWav: string) {
  const login = await fetch(`http://127.0.0.1:${api.port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  })
  if (!login.ok) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`)
  const { access_token: token } = (await login.json()) as { access_token: string }
  const auth = { authorization: `Bearer ${token}` }
  const path = '/api/notes?limit=20'
  const page = await fetch(`http://127.0.0.1:${api.port}${path}`, { headers: auth })
  const pageBody = await page.text()
  const items = (JSON.parse(pageBody) as { items: unknown[] }).items.length
  if (page.status !== 200 || items !== 20)
    throw new Error(
      `GET ${path} answered ${page.status} with ${items} notes: ${pageBody.slice(0, 200)}`
    )
  const bodyFile = join(tempRoot!, 'notes-page.json')
  await writeFile(bodyFile, pageBody)
  const bare = await startBare({ NOTES_BODY_FILE: bodyFile })

  const d = settings.notesDurationS
  log(
    `GET ${path} (20 notes, ${pageBody.length} bytes, bearer token): warm-up, then API, bare, API, bare × ${d} s`
  )
  await load('api', api.port, api.child.pid, settings.warmupS, 0, path, auth)
  await load('bare', bare.port, bare.child.pid, settings.warmupS, 0, path, auth)
  const notesRuns: LoadRun[] = []
  for (const roundNo of [1, 2]) {
    for (const [target, server] of [
      ['api', api],
      ['bare', bare],
    ] as const) {
      const run = await load(target, server.port, server.child.pid, d, roundNo, path, auth)
      notesRuns.push(run)
      log(
        `  ${target.padEnd(4)} round ${roundNo}: ${run.reqPerSec} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, ${run.serverCpuUsPerReq} CPU µs/req` +
          (run.errors || run.non2xx ? `, ${run.errors} errors, ${run.non2xx} non-2xx` : '')
      )
    }
  }
  const byRound = (n: number, t: 'api' | 'bare') =>
    notesRuns.find((r) => r.round === n && r.target === t)!
  const notesRatios = [1, 2].map((n) =>
    round(byRound(n, 'api').reqPerSec / byRound(n, 'bare').reqPerSec, 3)
  )
  const notesCpuRatios = [1, 2].map((n) =>
    round(byRound(n, 'api').serverCpuUsPerReq / byRound(n, 'bare').serverCpuUsPerReq, 2)
  )

  const n = settings.sockets
  log(
    `WebSocket fan-out: ${n} sockets each to the API and to a bare ws server, ${settings.fanoutRounds} events each`
  )
  const apiSockets = await openSockets(`ws://127.0.0.1:${api.port}/ws?access_token=${token}`, n)
  const bareSockets = await openSockets(`ws://127.0.0.1:${bare.port}/ws`, n)
  const apiRuns: Fanout[] = []
  const bareRuns: Fanout[] = []
  const size = statSync(smallWav).size
  for (let i = 1; i <= settings.fanoutRounds; i++) {
    const a = await measureFanout(
      apiSockets,
      () =>
        uploadRecording({
          port: api.port,
          token,
          file: smallWav,
          size,
          filename: `fanout-${i}.wav`,
        }),
      (data) => data.includes('"recording.queued"')
    )
    const event = JSON.stringify({
      type: 'recording.queued',
      user_id: randomUUID(),
      recording_id: randomUUID(),
      status: 'queued',
      at: new Date().toISOString(),
    })
    const b = await measureFanout(
      bareSockets,
      () => fetch(`http://127.0.0.1:${bare.port}/emit`, { method: 'POST', body: event }),
      (data) => data.includes('"recording.queued"')
    )
    apiRuns.push(a)
    bareRuns.push(b)
    const f = (x: Fanout) =>
      `first ${round(x.firstMs)} ms, last ${round(x.lastMs)} ms, spread ${round(x.spreadMs)} ms`
    log(`  event ${i}: API ${f(a)}; bare ${f(b)}`)
  }
  await Promise.all([closeSockets(apiSockets), closeSockets(bareSockets)])
  await stopChild(bare.child)
  const fanout: FanoutSummary = {
    sockets: n,
    rounds: settings.fanoutRounds,
    api: apiRuns,
    bare: bareRuns,
    apiMedianSpreadMs: round(median(apiRuns.map((r) => r.spreadMs))),
    bareMedianSpreadMs: round(median(bareRuns.map((r) => r.spreadMs))),
    apiMedianLastMs: round(median(apiRuns.map((r) => r.lastMs))),
    bareMedianLastMs: round(median(bareRuns.map((r) => r.lastMs))),
    ratioSpreadApiOverBare: round(
      median(apiRuns.map((r) => r.spreadMs)) / median(bareRuns.map((r) => r.spreadMs)),
      2
    ),
  }
  return { token, notesRuns, notesRatios, notesCpuRatios, fanout }
}

async function main() {
  log(
    `${quick ? 'quick' : 'full'} run on ${cpus().length} CPU(s), ${mb(totalmem() / 1024)} MB RAM, node ${process.version}, load average ${loadAvg()}`
  )
  tempRoot = await mkdtemp(join(tmpdir(), 'medic-bench-'))
  const dataDir = join(tempRoot, 'data')
  const wav = join(tempRoot, `bench-${settings.fileMB}mb.wav`)
  const smallWav = join(tempRoot, 'bench-small.wav')
  const fileBytes = settings.fileMB * MiB
  const needBytes = fileBytes * (settings.uploadRuns + 2 + settings.concurrentUploads) + 512 * MiB
  const fsInfo = await statfs(tempRoot)
  if (fsInfo.bavail * fsInfo.bsize < needBytes)
    throw new Error(`${tempRoot} has less than the ${mb(needBytes / 1024)} MB free this needs`)
  log(`temp folder ${tempRoot}`)

  const env = apiEnv(dataDir, await freePort())
  log(
    `creating the benchmark account (api/src/cli/user.ts, initialises PGlite) and a ${settings.fileMB} MB WAV file…`
  )
  await Promise.all([
    runToEnd(
      spawnChild(
        'user CLI',
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'api/src/cli/user.ts'), 'add', EMAIL],
        {
          env: { ...env, USER_PASSWORD: PASSWORD },
          cwd: ROOT,
        }
      )
    ),
    writeWav(wav, fileBytes),
    writeWav(smallWav, 256 * 1024),
  ])
  await runToEnd(
    spawnChild(
      'seed notes',
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'api/bench/seed-notes.ts'), EMAIL, '25'],
      { env, cwd: ROOT }
    )
  )

  const [api, bare] = await Promise.all([startApi(env), startBare()])
  const idleAtStart = await readMemory(api.child.pid)
  log(`API pid ${api.child.pid} on port ${api.port}, RSS ${mb(idleAtStart.rssKb)} MB`)
  log(`bare node:http server pid ${bare.child.pid} on port ${bare.port}`)

  // 1. /health/live: warm both up, then A B A B.
  const { connections, warmupS, durationS } = settings
  log(
    `GET /health/live: warm-up ${warmupS} s each, then API, bare, API, bare × ${durationS} s, ${connections} connections`
  )
  await load('api', api.port, api.child.pid, warmupS, 0)
  await load('bare', bare.port, bare.child.pid, warmupS, 0)
  const loadRuns: LoadRun[] = []
  for (const roundNo of [1, 2]) {
    for (const [target, server] of [
      ['api', api],
      ['bare', bare],
    ] as const) {
      const run = await load(target, server.port, server.child.pid, durationS, roundNo)
      loadRuns.push(run)
      log(
        `  ${target.padEnd(4)} round ${roundNo}: ${run.reqPerSec} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms` +
          (run.errors || run.non2xx ? `, ${run.errors} errors, ${run.non2xx} non-2xx` : '')
      )
    }
  }
  await stopChild(bare.child)
  const { token, notesRuns, notesRatios, notesCpuRatios, fanout } = await readAndFanout(
    api,
    smallWav
  )
  const pairs = [1, 2].map((n) => ({
    api: loadRuns.find((r) => r.target === 'api' && r.round === n)!,
    bare: loadRuns.find((r) => r.target === 'bare' && r.round === n)!,
  }))
  const healthRatios = pairs.map((p) => round(p.api.reqPerSec / p.bare.reqPerSec, 3))
  // Server CPU time per request depends much less on what else the machine is doing.
  const cpuRatios = pairs.map((p) => round(p.api.serverCpuUsPerReq / p.bare.serverCpuUsPerReq, 2))

  // 2. One upload at a time against a plain write + fsync of the same size, interleaved.
  // Each returns MB/s and the CPU milliseconds per MB of the process that wrote the file.
  const upload = async () => {
    const cpuBefore = await cpuSeconds(api.child.pid)
    const r = await uploadRecording({ port: api.port, token, file: wav, size: fileBytes })
    if (r.status !== 202) throw new Error(`upload answered ${r.status}: ${r.body}`)
    const cpu = (await cpuSeconds(api.child.pid)) - cpuBefore
    return { mbps: settings.fileMB / (r.ms / 1000), cpuMsPerMB: (cpu * 1000) / settings.fileMB }
  }
  const directDir = join(dataDir, 'audio', '.tmp')
  await mkdir(directDir, { recursive: true })
  const direct = async () => {
    const cpuBefore = process.cpuUsage()
    const ms = await writeDirect(wav, join(directDir, `bench-direct-${randomUUID()}.part`))
    const cpu = process.cpuUsage(cpuBefore)
    return {
      mbps: settings.fileMB / (ms / 1000),
      cpuMsPerMB: (cpu.user + cpu.system) / 1000 / settings.fileMB,
    }
  }

  log(
    `POST /api/recordings, ${settings.fileMB} MB: 1 warm-up, then ${settings.uploadRuns} × (direct write, upload)`
  )
  await upload()
  const apiMBps: number[] = []
  const directMBps: number[] = []
  const apiCpu: number[] = []
  const directCpu: number[] = []
  for (let i = 1; i <= settings.uploadRuns; i++) {
    const d = await direct()
    const u = await upload()
    directMBps.push(round(d.mbps))
    apiMBps.push(round(u.mbps))
    directCpu.push(d.cpuMsPerMB)
    apiCpu.push(u.cpuMsPerMB)
    log(
      `  run ${i}: direct write ${round(d.mbps)} MB/s (${round(d.cpuMsPerMB)} CPU ms/MB), ` +
        `upload ${round(u.mbps)} MB/s (API ${round(u.cpuMsPerMB)} CPU ms/MB)`
    )
  }

  // 2b. Several at once: N uploads against N plain writes of the same size, at the same time.
  const concurrency: { n: number; apiMBps: number; directMBps: number; ratio: number }[] = []
  const directAtOnce = async (k: number) => {
    const t = performance.now()
    await Promise.all(
      Array.from({ length: k }, () =>
        writeDirect(wav, join(directDir, `bench-direct-${randomUUID()}.part`))
      )
    )
    return (k * settings.fileMB) / ((performance.now() - t) / 1000)
  }
  const uploadsAtOnce = async (k: number) => {
    const t = performance.now()
    const rs = await Promise.all(
      Array.from({ length: k }, (_, i) =>
        uploadRecording({
          port: api.port,
          token,
          file: wav,
          size: fileBytes,
          filename: `c${k}-${i}.wav`,
        })
      )
    )
    const bad = rs.find((r) => r.status !== 202)
    if (bad) throw new Error(`a concurrent upload answered ${bad.status}: ${bad.body}`)
    return (k * settings.fileMB) / ((performance.now() - t) / 1000)
  }
  concurrency.push({
    n: 1,
    apiMBps: round(median(apiMBps)),
    directMBps: round(median(directMBps)),
    ratio: round(median(apiMBps) / median(directMBps), 3),
  })
  {
    const k = 4
    const d = await directAtOnce(k)
    const u = await uploadsAtOnce(k)
    concurrency.push({ n: k, apiMBps: round(u), directMBps: round(d), ratio: round(u / d, 3) })
    log(`  ${k} at once: direct write ${round(d)} MB/s, upload ${round(u)} MB/s in all`)
  }
  const directTen = await directAtOnce(settings.concurrentUploads)
  log(`  ${settings.concurrentUploads} direct writes at once: ${round(directTen)} MB/s in all`)

  // 3. Memory while N uploads run at once.
  const n = settings.concurrentUploads
  const idle = await readMemory(api.child.pid)
  const clientRssBefore = process.memoryUsage.rss()
  const hwmReset = await resetPeakRss(api.child.pid)
  log(`uploading ${n} × ${settings.fileMB} MB at once… (API RSS before: ${mb(idle.rssKb)} MB)`)
  const sampler = sampleRss(api.child.pid, 50)
  const concurrentStarted = performance.now()
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      uploadRecording({
        port: api.port,
        token,
        file: wav,
        size: fileBytes,
        filename: `bench-${i}.wav`,
      })
    )
  )
  const concurrentS = (performance.now() - concurrentStarted) / 1000
  const sampled = await sampler.stop()
  const after = await readMemory(api.child.pid)
  const clientRssAfter = process.memoryUsage.rss()
  const failed = results.filter((r) => r.status !== 202)
  if (failed.length)
    throw new Error(
      `${failed.length} concurrent uploads failed: ${failed[0]!.status} ${failed[0]!.body}`
    )
  log(
    `  done in ${round(concurrentS)} s: peak RSS ${mb(sampled.peakKb)} MB sampled, VmHWM ${mb(after.hwmKb)} MB` +
      (hwmReset ? '' : ' (VmHWM could not be reset: it includes the earlier phases)')
  )
  await stopChild(api.child)
  const aggregate = (n * settings.fileMB) / concurrentS
  concurrency.push({
    n,
    apiMBps: round(aggregate),
    directMBps: round(directTen),
    ratio: round(aggregate / directTen, 3),
  })

  const totalS = (performance.now() - startedAt) / 1000
  const summary = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: {
      cpus: cpus().length,
      memoryMB: mb(totalmem() / 1024),
      node: process.version,
      platform: process.platform,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAvg(),
    },
    apiEntry: api.entry,
    health: {
      connections,
      warmupS,
      durationS,
      runs: loadRuns,
      ratioApiOverBare: healthRatios,
      ratioApiOverBareMean: round((healthRatios[0]! + healthRatios[1]!) / 2, 3),
      cpuPerRequestRatioApiOverBare: cpuRatios,
    },
    notes: {
      path: '/api/notes?limit=20',
      durationS: settings.notesDurationS,
      runs: notesRuns,
      ratioApiOverBare: notesRatios,
      cpuPerRequestRatioApiOverBare: notesCpuRatios,
    },
    fanout,
    concurrency,
    upload: {
      fileMB: settings.fileMB,
      runs: settings.uploadRuns,
      apiMBps,
      directWriteMBps: directMBps,
      apiMedianMBps: round(median(apiMBps)),
      directWriteMedianMBps: round(median(directMBps)),
      ratioApiOverDirect: round(median(apiMBps) / median(directMBps), 3),
      apiCpuMsPerMBMedian: round(median(apiCpu)),
      directWriteCpuMsPerMBMedian: round(median(directCpu)),
    },
    memory: {
      concurrentUploads: n,
      fileMB: settings.fileMB,
      totalUploadedMB: n * settings.fileMB,
      maxUploadMB: MAX_UPLOAD_MB,
      rssAtStartMB: mb(idleAtStart.rssKb),
      rssBeforeUploadsMB: mb(idle.rssKb),
      peakRssSampledMB: mb(sampled.peakKb),
      rssSamples: sampled.samples,
      vmHwmMB: mb(after.hwmKb),
      vmHwmResetBeforeUploads: hwmReset,
      rssAfterUploadsMB: mb(after.rssKb),
      wallS: round(concurrentS, 2),
      aggregateMBps: round((n * settings.fileMB) / concurrentS),
      benchClientRssBeforeMB: mb(clientRssBefore / 1024),
      benchClientRssAfterMB: mb(clientRssAfter / 1024),
    },
    elapsedS: round(totalS),
  }
  await mkdir(dirname(RESULTS), { recursive: true })
  await writeFile(RESULTS, JSON.stringify(summary, null, 2) + '\n')
  printTable(summary)
  console.log(`\nJSON: ${RESULTS}`)
  console.log(`total time ${round(totalS)} s (${relative(ROOT, process.argv[1] ?? '')})`)
}

type Results = {
  notes?: {
    path: string
    durationS: number
    runs: LoadRun[]
    ratioApiOverBare: number[]
    cpuPerRequestRatioApiOverBare: number[]
  }
  fanout?: FanoutSummary
  concurrency?: { n: number; apiMBps: number; directMBps: number; ratio: number }[]
  mode: string
  apiEntry: string
  machine: {
    cpus: number
    memoryMB: number
    node: string
    loadAverageAtStart: string
    loadAverageAtEnd: string
  }
  health: {
    connections: number
    durationS: number
    runs: LoadRun[]
    ratioApiOverBare: number[]
    ratioApiOverBareMean: number
    cpuPerRequestRatioApiOverBare: number[]
  }
  upload: {
    fileMB: number
    runs: number
    apiMBps: number[]
    directWriteMBps: number[]
    apiMedianMBps: number
    directWriteMedianMBps: number
    ratioApiOverDirect: number
    apiCpuMsPerMBMedian: number
    directWriteCpuMsPerMBMedian: number
  }
  memory: {
    concurrentUploads: number
    fileMB: number
    totalUploadedMB: number
    rssAtStartMB: number
    rssBeforeUploadsMB: number
    peakRssSampledMB: number
    rssSamples: number
    vmHwmMB: number
    vmHwmResetBeforeUploads: boolean
    rssAfterUploadsMB: number
    wallS: number
    aggregateMBps: number
    benchClientRssBeforeMB: number
    benchClientRssAfterMB: number
  }
}

function printTable(r: Results) {
  const { health: h, upload: u, memory: m } = r
  const line = '─'.repeat(78)
  const row = (cells: (string | number)[], widths: number[]) =>
    cells
      .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!)))
      .join('  ')
  // The load runs of a route, the API's and the bare baseline's, one row each.
  const w1 = [18, 8, 8, 8, 11, 10]
  const printRuns = (runs: LoadRun[]) => {
    console.log(row(['run', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'client CPU'], w1))
    for (const run of runs)
      console.log(
        row(
          [
            `${run.target === 'api' ? 'API' : 'bare node:http'} #${run.round}`,
            run.reqPerSec,
            run.p50Ms,
            run.p99Ms,
            run.serverCpuUsPerReq,
            `${run.clientCpuPct}%`,
          ],
          w1
        )
      )
  }
  console.log(`\n${line}`)
  console.log(
    `Medic Scribe API benchmark (${r.mode}), ${r.machine.cpus} CPUs, node ${r.machine.node}`
  )
  console.log(`API: ${r.apiEntry}`)
  console.log(
    `load average (1/5/15 min) at start ${r.machine.loadAverageAtStart}, at end ${r.machine.loadAverageAtEnd}`
  )
  console.log(line)
  console.log(
    `1. GET /health/live, ${h.connections} connections, ${h.durationS} s per run (autocannon)`
  )
  printRuns(h.runs)
  console.log(
    `ratio API/bare req/s: round 1 ${h.ratioApiOverBare[0]}, round 2 ${h.ratioApiOverBare[1]}, mean ${h.ratioApiOverBareMean}`
  )
  console.log(
    `ratio API/bare server CPU per request: round 1 ${h.cpuPerRequestRatioApiOverBare[0]}, round 2 ${h.cpuPerRequestRatioApiOverBare[1]}`
  )
  if (r.notes) {
    const nt = r.notes
    console.log(line)
    console.log(`1b. GET ${nt.path} with a bearer token (20 notes), ${nt.durationS} s per run`)
    printRuns(nt.runs)
    console.log(
      `ratio API/bare req/s: ${nt.ratioApiOverBare.join(', ')}; server CPU per request: ${nt.cpuPerRequestRatioApiOverBare.join(', ')}`
    )
  }
  if (r.fanout) {
    const f = r.fanout
    console.log(line)
    console.log(`1c. One event to ${f.sockets} WebSockets, median of ${f.rounds} events`)
    console.log(
      `API (upload → NOTIFY → sockets): last socket after ${f.apiMedianLastMs} ms, first-to-last spread ${f.apiMedianSpreadMs} ms`
    )
    console.log(
      `bare ws server (POST /emit → sockets): last socket after ${f.bareMedianLastMs} ms, spread ${f.bareMedianSpreadMs} ms`
    )
    console.log(
      `ratio API/bare fan-out spread: ${f.ratioSpreadApiOverBare} (1 = as fast as bare ws)`
    )
  }
  console.log(line)
  console.log(`2. Upload ingest, one ${u.fileMB} MB WAV at a time, median of ${u.runs} runs`)
  const w2 = [26, 7, 11, 30]
  console.log(row(['path', 'MB/s', 'CPU ms/MB', 'runs (MB/s)'], w2))
  console.log(
    row(['POST /api/recordings', u.apiMedianMBps, u.apiCpuMsPerMBMedian, u.apiMBps.join(' ')], w2)
  )
  console.log(
    row(
      [
        'write + fsync, same folder',
        u.directWriteMedianMBps,
        u.directWriteCpuMsPerMBMedian,
        u.directWriteMBps.join(' '),
      ],
      w2
    )
  )
  console.log(`ratio API/direct MB/s: ${u.ratioApiOverDirect}`)
  if (r.concurrency) {
    console.log(`uploads at once vs as many plain writes at once (MB/s in all):`)
    console.log(row(['at once', 'upload', 'direct', 'ratio'], [26, 7, 11, 8]))
    for (const c of r.concurrency)
      console.log(row([String(c.n), c.apiMBps, c.directMBps, c.ratio], [26, 7, 11, 8]))
  }
  console.log(line)
  console.log(
    `3. API memory, ${m.concurrentUploads} concurrent uploads × ${m.fileMB} MB = ${m.totalUploadedMB} MB uploaded in ${m.wallS} s (${m.aggregateMBps} MB/s)`
  )
  const w3 = [44, 8]
  console.log(row(['RSS at start (idle)', `${m.rssAtStartMB} MB`], w3))
  console.log(row(['RSS before the uploads (idle)', `${m.rssBeforeUploadsMB} MB`], w3))
  console.log(
    row([`peak RSS, sampled every 50 ms (${m.rssSamples} samples)`, `${m.peakRssSampledMB} MB`], w3)
  )
  console.log(
    row(
      [
        `VmHWM at the end${m.vmHwmResetBeforeUploads ? ' (reset before the uploads)' : ' (since start)'}`,
        `${m.vmHwmMB} MB`,
      ],
      w3
    )
  )
  console.log(row(['RSS after the uploads', `${m.rssAfterUploadsMB} MB`], w3))
  console.log(
    row(
      [
        `peak growth while ${m.totalUploadedMB} MB came in`,
        `+${m.vmHwmMB - m.rssBeforeUploadsMB} MB`,
      ],
      w3
    )
  )
  console.log(
    row(
      [
        'benchmark client RSS before → after',
        `${m.benchClientRssBeforeMB} → ${m.benchClientRssAfterMB} MB`,
      ],
      w3
    )
  )
  console.log(line)
}

main()
  .then(
    () => 0,
    (err: unknown) => {
      console.error(
        `\nbenchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`
      )
      return 1
    }
  )
  .then(async (code) => {
    await cleanUp(10_000)
    process.exit(code)
  })
