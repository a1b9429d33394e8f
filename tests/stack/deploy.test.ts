// make deploy / make rollback against the suite's running stack: releases are cheap retags of the
// built api image (the version the API reports comes from API_TAG), and v3 is the same image with
// a health check that always fails. Runs before durability and leaves v1 live and healthy.
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { fromRoot } from '../../ops/lib/paths.ts'
import { consultationWav } from '../support/audio.ts'
import { connect, until } from './stack.ts'
import { steadyLoad as startLoad } from './steady-load.ts'

const stack = inject('stack')

type Run = { code: number | null; output: string }

describe.skipIf(!stack)('deploy: rolling API releases behind the edge', () => {
  const s = connect(stack!)
  const suffix = stack!.projectName.replace('scribe-test-', '')
  const v = (n: number) => `t${suffix}-v${n}`
  const ref = (n: number) => `medic-scribe/api:${v(n)}`
  let dir: string
  let envFile: string

  /** Runs an ops script like an operator would, collecting everything it prints. */
  const ops = (script: string, args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const child = spawn(fromRoot('node_modules/.bin/tsx'), [fromRoot('ops', script), ...args], {
        env: { ...process.env, FORCE_COLOR: '0' },
      })
      let output = ''
      child.stdout.on('data', (d) => (output += String(d)))
      child.stderr.on('data', (d) => (output += String(d)))
      child.on('exit', (code) => resolve({ code, output }))
    })
  const steadyLoad = (token: string) => startLoad(s, token)
  const target = () => ['--project', stack!.projectName, '--env-file', envFile]
  // Short gates keep the suite quick; the defaults (120 s, 20 s) are for real deploys.
  const gate = ['--watch', '3', '--health-timeout', '30', '--drain', '20']
  const deploy = (n: number) => ops('deploy.ts', [...target(), '--version', v(n), ...gate])

  const liveVersion = async () =>
    ((await (await s.request('/health/live')).json()) as { version: string }).version
  const history = async () => {
    const run = await ops('deploy-history.ts', ['--project', stack!.projectName, '--json'])
    return run.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map(
        (l) => JSON.parse(l) as { kind: string; version: string; result: string; reason?: string }
      )
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scribe-deploy-'))
    envFile = join(dir, '.env')
    const lines = Object.entries(stack!.env).map(([k, val]) => `${k}=${val}`)
    await writeFile(envFile, `${lines.join('\n')}\n`, { mode: 0o600 })
    await s.docker('tag', 'medic-scribe/api:local', ref(1))
    await s.docker('tag', 'medic-scribe/api:local', ref(2))
    // v3: the same program, but its health check never passes.
    const dockerfile = `FROM medic-scribe/api:local\nHEALTHCHECK --interval=2s --start-period=1s --retries=2 CMD ["false"]\n`
    await new Promise<void>((resolve, reject) => {
      const b = spawn('docker', ['build', '-q', '-t', ref(3), '-'], {
        stdio: ['pipe', 'ignore', 'ignore'],
      })
      b.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`docker build v3: ${code}`))
      )
      b.stdin.end(dockerfile)
    })
  })

  afterAll(async () => {
    const quiet = (...args: string[]) => s.docker(...args).catch(() => '')
    await quiet('rm', '-f', `${stack!.projectName}-deploy-lock`)
    await quiet('volume', 'rm', `${stack!.projectName}_deploys`)
    // Untag only: v1 (the live release) shares its image with :local.
    for (const n of [1, 2, 3]) await quiet('image', 'rm', ref(n))
    await rm(dir, { recursive: true, force: true })
  })

  it('should deploy v1, then v2 under steady load with no failed request, and serve v2', async () => {
    const first = await deploy(1)
    expect(first.output).toContain(`deploy ${v(1)} ok`)
    expect(first.code).toBe(0)
    expect(await liveVersion()).toBe(v(1))

    const load = steadyLoad(await s.login())
    const second = await deploy(2)
    const result = await load.stop()
    expect(second.code, second.output).toBe(0)
    expect(result.failures).toEqual([])
    expect(result.served).toBeGreaterThan(50)
    expect(result.versions).toEqual([v(1), v(2)])
    expect(await liveVersion()).toBe(v(2))
    // One api container, and `compose up` would keep it: the env file names the release.
    const apis = await s.docker(
      'ps',
      '--filter',
      `label=com.docker.compose.project=${stack!.projectName}`,
      '--filter',
      'label=com.docker.compose.service=api',
      '--format',
      '{{.Image}}'
    )
    expect(apis).toBe(ref(2))
  })

  it('should roll a v3 that never becomes healthy back to v2, drop nothing, and exit non-zero', async () => {
    const load = steadyLoad(await s.login())
    const run = await deploy(3)
    const result = await load.stop()
    expect(run.code).not.toBe(0)
    expect(run.output).toMatch(new RegExp(`rolled back to ${v(2)}: ${v(3)} did not become healthy`))
    expect(result.failures).toEqual([])
    expect(result.versions).toEqual([v(2)])
    expect(await liveVersion()).toBe(v(2))
    const last = (await history()).at(-1)
    expect(last).toMatchObject({ kind: 'deploy', version: v(3), result: 'rolled-back' })
    expect(last?.reason).toContain('did not become healthy')
  })

  it('should refuse a second deploy while another holds the lock, naming the holder', async () => {
    const holder = {
      holder: 'deploy',
      who: 'alice@other-laptop',
      host: 'other-laptop',
      pid: 4242,
      since: new Date().toISOString(),
    }
    await s.docker(
      'create',
      '--name',
      `${stack!.projectName}-deploy-lock`,
      '--network',
      'none',
      '--label',
      `org.medic-scribe.deploy-lock=${JSON.stringify(holder)}`,
      '--entrypoint',
      'true',
      'medic-scribe/postgres:local'
    )
    try {
      const run = await deploy(1)
      expect(run.code).not.toBe(0)
      expect(run.output).toContain('locked: a deploy by alice@other-laptop')
      expect(await liveVersion()).toBe(v(2))
    } finally {
      await s.docker('rm', '-f', `${stack!.projectName}-deploy-lock`)
    }
  })

  it('should finish an upload that is in flight during a rollback switch, and deliver its note', async () => {
    const token = await s.login()
    const audio = await consultationWav()
    const load = steadyLoad(token)
    // A slow client: the multipart body trickles in until the load sees the switch, then ends,
    // so the request surely spans it (it reached the old release, which must finish it).
    const boundary = `scribe${Date.now()}`
    const enc = new TextEncoder()
    const pieces = 120
    const parts = [
      enc.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="c.wav"\r\nContent-Type: audio/wav\r\n\r\n`
      ),
      ...Array.from({ length: pieces }, (_, i) =>
        audio.slice(
          Math.floor((i * audio.length) / pieces),
          Math.floor(((i + 1) * audio.length) / pieces)
        )
      ),
      enc.encode(`\r\n--${boundary}--\r\n`),
    ]
    const switched = () => load.seen.some((x) => x.version === v(1))
    const uploadStarted = Date.now()
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        const next = parts.shift()
        if (!next) return ctl.close()
        await new Promise((r) => setTimeout(r, switched() ? 50 : 500))
        ctl.enqueue(next)
      },
    })
    const upload = s
      .request('/api/recordings', {
        method: 'POST',
        body,
        duplex: 'half',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
      })
      .then(async (res) => ({
        status: res.status,
        body: (await res.json()) as { id: string },
        at: Date.now(),
      }))
    const run = await ops('rollback.ts', [...target(), ...gate])
    const answered = await upload
    const result = await load.stop()
    expect(run.code, run.output).toBe(0)
    expect(await liveVersion()).toBe(v(1))
    expect(result.failures).toEqual([])
    const switchedAt =
      result.versions.length === 2 ? load.seen.find((x) => x.version === v(1))!.at : NaN
    expect(uploadStarted).toBeLessThan(switchedAt)
    expect(answered.at).toBeGreaterThan(switchedAt)
    expect(answered.status).toBe(202)
    const rec = await s.settled(token, answered.body.id, 'the in-flight upload to become a note')
    expect(rec.status).toBe('done')
    expect(
      (
        await s.request(`/api/notes/${rec.note_id}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).status
    ).toBe(200)
    await until(
      'the rollback in the history',
      async () => (await history()).at(-1)?.kind === 'rollback'
    )
  })
})
