#!/usr/bin/env -S npx tsx
// make load: the load profiles of scenarios.json through the edge. Runs k6 with scribe.k6.js
// where k6 is installed; otherwise the same scenarios and thresholds with autocannon (rates of
// 1/s and more) and a timed fetch loop (sign-in, uploads: slower than 1/s), and the same summary.
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { Agent, fetch } from 'undici'
import { $, echo, fs } from 'zx'
import { z } from 'zod'
import { parseArgs } from '../../ops/lib/args.ts'
import { ENV_FILE } from '../../ops/lib/compose.ts'
import { parseEnvFile, setEnvValue } from '../../ops/lib/env-file.ts'
import { StopError } from '../../ops/lib/errors.ts'
import { runScript } from '../../ops/lib/main.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import { step } from '../../ops/lib/step.ts'
import { apiContainers } from '../../ops/steps/deploy/stack.ts'
import { consultationWav } from '../support/audio.ts'
import { evaluate, formatSummary, loadSpec } from './spec.ts'
import type { Sample, Scenario } from './spec.ts'

const spec = loadSpec()
const USAGE = `
Usage: npx tsx tests/load/run.ts [--profile ${Object.keys(spec.profiles).join('|')}] [options]   (make load PROFILE=…)

  --profile NAME     rates and duration from tests/load/scenarios.json (default load)
  --duration S       override the profile's duration
  --base-url URL     the edge (default https://localhost:<HTTPS_PORT of the env file, 8443>)
  --project NAME     compose project, to create the load-test account (default medic-scribe)
  --env-file PATH    default compose/.env: HTTPS_PORT, LOAD_EMAIL/LOAD_PASSWORD (made once)
  --runner WHICH     auto (k6 if installed), k6, autocannon
Exits non-zero when a threshold fails (p95 of reads, error rate).
`

const startedAt = performance.now()
await runScript(async () => {
  const f = parseArgs({
    usage: USAGE,
    string: ['profile', 'duration', 'base-url', 'project', 'env-file', 'runner'],
    shape: {
      profile: z.enum(Object.keys(spec.profiles) as [string, ...string[]]).default('load'),
      duration: z.coerce.number().positive().optional(),
      'base-url': z.string().url().optional(),
      project: z.string().default('medic-scribe'),
      'env-file': z.string().default(ENV_FILE),
      runner: z.enum(['auto', 'k6', 'autocannon']).default('auto'),
    },
  })
  const profile = spec.profiles[f.profile]!
  const seconds = f.duration ?? profile.duration
  const env = (await fs.pathExists(f['env-file']))
    ? parseEnvFile(await readFile(f['env-file'], 'utf8'))
    : new Map<string, string>()
  const base = f['base-url'] ?? `https://localhost:${env.get('HTTPS_PORT') ?? '8443'}`
  const account = await loadAccount(f.project, f['env-file'], env)
  const wav = join(tmpdir(), `scribe-load-${process.pid}.wav`)
  await step('synthesise a consultation', async () => {
    await writeFile(wav, await consultationWav())
    return wav
  })

  const k6 = (await $({ quiet: true, nothrow: true })`command -v k6`).ok
  if (f.runner === 'k6' || (f.runner === 'auto' && k6)) {
    if (!k6) throw new StopError('k6 is not installed', 'use --runner autocannon, or install k6')
    const args = [
      '-e',
      `PROFILE=${f.profile}`,
      '-e',
      `DURATION=${seconds}`,
      '-e',
      `BASE_URL=${base}`,
    ]
    args.push('-e', `EMAIL=${account.email}`, '-e', `AUDIO=${wav}`)
    const run = await $({
      stdio: 'inherit',
      nothrow: true,
      // k6 passes the process environment to __ENV: the password stays off the command line.
      env: { ...process.env, PASSWORD: account.password },
    })`k6 run ${args} ${fromRoot('tests/load/scribe.k6.js')}`
    if (!run.ok) process.exitCode = 1
    return
  }

  echo(`k6 not found: running profile ${f.profile} (${seconds} s) with autocannon against ${base}`)
  const ca = await fs.readFile(fromRoot('compose/certs/ca/ca.crt')).catch(() => undefined)
  const dispatcher = new Agent({ connect: ca ? { ca } : { rejectUnauthorized: false } })
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
    dispatcher,
  })
  if (login.status !== 200)
    throw new StopError(`sign-in through ${base} answered ${login.status}`, 'is the stack up?')
  const token = ((await login.json()) as { access_token: string }).access_token
  const audio = await readFile(wav)

  const samples: Sample[] = []
  await step(`run ${Object.keys(profile.rates).join(', ')}`, async () => {
    await Promise.all(
      Object.entries(profile.rates).map(async ([name, rate]) => {
        const scenario = spec.scenarios[name]
        if (!scenario)
          throw new StopError(`profile names an unknown scenario ${name}`, 'fix scenarios.json')
        const request = buildRequest(scenario, token, account, audio)
        const sample: Sample = {
          name,
          kind: scenario.kind,
          latenciesMs: [],
          statuses: {},
          networkErrors: 0,
        }
        samples.push(sample)
        if (rate >= 1) await withAutocannon(base + scenario.path, request, rate, seconds, sample)
        else await slowLoop(base + scenario.path, request, rate, seconds, sample, dispatcher)
      })
    )
  })
  const verdicts = evaluate(samples, spec.thresholds)
  echo(`\n${formatSummary(samples, seconds, verdicts)}`)
  if (verdicts.some((v) => !v.ok)) process.exitCode = 1
}, startedAt)

type Req = { method: 'GET' | 'POST'; headers: Record<string, string>; body?: Buffer }

function buildRequest(
  s: Scenario,
  token: string,
  account: { email: string; password: string },
  audio: Buffer
): Req {
  const headers: Record<string, string> = s.auth ? { authorization: `Bearer ${token}` } : {}
  if (s.body === 'login') {
    headers['content-type'] = 'application/json'
    return { method: s.method, headers, body: Buffer.from(JSON.stringify(account)) }
  }
  if (s.body === 'consultation') {
    const boundary = `scribe${randomBytes(8).toString('hex')}`
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="consultation.wav"\r\nContent-Type: audio/wav\r\n\r\n`
    return {
      method: s.method,
      headers,
      body: Buffer.concat([Buffer.from(head), audio, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    }
  }
  return { method: s.method, headers }
}

async function withAutocannon(url: string, r: Req, rate: number, seconds: number, sample: Sample) {
  let finish: (errors: number) => void = () => {}
  const done = new Promise<number>((resolve) => (finish = resolve))
  const instance = autocannon(
    {
      url,
      method: r.method,
      headers: r.headers,
      ...(r.body ? { body: r.body } : {}),
      connections: Math.max(2, Math.ceil(rate / 25)),
      overallRate: rate,
      duration: seconds,
      timeout: 10,
    },
    (err, result) => finish(err ? 1 : result.errors)
  )
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    sample.latenciesMs.push(ms)
    sample.statuses[status] = (sample.statuses[status] ?? 0) + 1
  })
  sample.networkErrors += await done
}

async function slowLoop(
  url: string,
  r: Req,
  rate: number,
  seconds: number,
  sample: Sample,
  dispatcher: Agent
) {
  const end = Date.now() + seconds * 1000
  const gap = 1000 / rate
  for (let next = Date.now(); next < end; next += gap) {
    const t0 = performance.now()
    try {
      const res = await fetch(url, {
        method: r.method,
        headers: r.headers,
        body: r.body,
        dispatcher,
      })
      await res.arrayBuffer()
      sample.latenciesMs.push(performance.now() - t0)
      sample.statuses[res.status] = (sample.statuses[res.status] ?? 0) + 1
    } catch {
      sample.networkErrors++
    }
    await new Promise((w) => setTimeout(w, Math.max(0, next + gap - Date.now())))
  }
}

/** The account the load signs in with: LOAD_EMAIL/LOAD_PASSWORD, made once in the stack. */
async function loadAccount(project: string, envFile: string, env: Map<string, string>) {
  const email = env.get('LOAD_EMAIL') || 'load-test@example.org'
  let password = env.get('LOAD_PASSWORD')
  if (password) return { email, password }
  const api = (await apiContainers(project)).find((a) => a.running)
  if (!api) throw new StopError(`no api container of ${project} runs`, 'start the stack: make up')
  password = randomBytes(18).toString('base64url')
  await $({
    quiet: true,
    env: { ...process.env, USER_PASSWORD: password },
  })`docker exec -e USER_PASSWORD ${api.name} node /app/user.js add ${email}`
  await setEnvValue(envFile, 'LOAD_PASSWORD', password)
  echo(`created the load-test account ${email} (password saved as LOAD_PASSWORD in ${envFile})`)
  return { email, password }
}
