// make deploy to a target reached over real ssh: DOCKER_HOST=ssh://deploy@<address>:<port>, an
// sshd container (tests/stack/sshd/Dockerfile.docker) whose docker CLI runs `docker system
// dial-stdio` against the engine socket mounted into it. That engine is this host's own dockerd
// (no second engine can run here), so the image was never missing over there: what this proves
// is the path. Every docker command of the deploy and of deploy-history goes through ssh (sshd
// logs each session), and --transfer always streams the image with docker save | docker load
// through that connection (the sshd container receives at least the image's bytes, the engine
// logs a load). Leaves the suite's stack serving its release, as deploy.test.ts does.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { fromRoot } from '../../ops/lib/paths.ts'
import { ops } from './ops-script.ts'
import { connect } from './stack.ts'
import { keygen, startDockerTarget } from './sshd.ts'
import type { StartedDockerTarget } from './sshd.ts'
import { steadyLoad } from './steady-load.ts'

const exec = promisify(execFile)
const stack = inject('stack')

describe.skipIf(!stack)('deploy to a remote target over ssh', { timeout: 180_000 }, () => {
  const s = connect(stack!)
  const project = stack!.projectName
  // New on every run: a reused stack may still run the previous run's release (same image).
  const version = `r${project.replace('scribe-test-', '')}-${Date.now().toString(36)}`
  const ref = `medic-scribe/api:${version}`
  const lockName = `${project}-deploy-lock`
  let dir = ''
  let envFile = ''
  let target: StartedDockerTarget | undefined

  /** docker through the target's ssh connection, the way the deploy scripts run it. */
  const remoteDocker = (...args: string[]) =>
    exec('docker', args, { env: { ...process.env, ...target!.env } })
  /** Bytes the sshd container has received on its network interface. */
  const receivedBytes = async () => {
    const dev = await s.docker('exec', target!.container.getId(), 'cat', '/proc/net/dev')
    const eth0 = dev.split('\n').find((l) => l.trim().startsWith('eth0:'))
    return Number(eth0?.split(':')[1]?.trim().split(/\s+/)[0])
  }
  /** Sessions sshd started: one per docker command (channels of the one shared connection). */
  const sessions = async () => {
    const logs = await exec('docker', ['logs', target!.container.getId()])
    return `${logs.stdout}\n${logs.stderr}`
      .split('\n')
      .filter((l) => l.includes('Starting session: command for deploy')).length
  }
  /** The lock's label as the target shows it, polled while a deploy runs. */
  const watchLock = () => {
    const seen = new Set<string>()
    let running = true
    const loop = (async () => {
      while (running) {
        const out = await remoteDocker(
          'inspect',
          '--format',
          '{{index .Config.Labels "org.medic-scribe.deploy-lock"}}',
          lockName
        ).catch(() => undefined)
        if (out) seen.add(out.stdout.trim())
        await new Promise((r) => setTimeout(r, 500))
      }
    })()
    return async () => {
      running = false
      await loop
      return [...seen].map((l) => JSON.parse(l) as { holder: string; who: string; host: string })
    }
  }
  const liveVersion = async () =>
    ((await (await s.request('/health/live')).json()) as { version: string }).version

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scribe-deploy-remote-'))
    target = await startDockerTarget(dir)
    envFile = join(dir, '.env')
    const lines = Object.entries(stack!.env).map(([k, v]) => `${k}=${v}`)
    await writeFile(envFile, `${lines.join('\n')}\n`, { mode: 0o600 })
    // The release exists on this machine's engine under a tag nobody else uses.
    await s.docker('tag', 'medic-scribe/api:local', ref)
  })

  afterAll(async () => {
    const quiet = (...args: string[]) => s.docker(...args).catch(() => '')
    await quiet('rm', '-f', lockName)
    await quiet('volume', 'rm', `${project}_deploys`)
    // Untag only: the live api runs this image (it is :local's).
    await quiet('image', 'rm', ref)
    await target?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })
  it('should deploy over ssh with no failed request, the image sent through the connection', async () => {
    const size = Number(await s.docker('image', 'inspect', '--format', '{{.Size}}', ref))
    const imageId = await s.docker('image', 'inspect', '--format', '{{.Id}}', ref)
    const [received, started, since] = [
      await receivedBytes(),
      await sessions(),
      Math.floor(Date.now() / 1000),
    ]
    const stopWatching = watchLock()
    const load = steadyLoad(s, await s.login())
    const t0 = performance.now()
    const run = await ops(
      'deploy.ts',
      [
        ...['--project', project, '--env-file', envFile, '--version', version],
        ...['--transfer', 'always', '--watch', '3', '--health-timeout', '60', '--drain', '20'],
      ],
      { ...target!.env, FORCE_COLOR: '0' }
    )
    const took = (performance.now() - t0) / 1000
    const result = await load.stop()
    const locks = await stopWatching()
    console.log(run.out)
    expect(run.code, run.out).toBe(0)

    // The step says where it sent what, and the bytes went through the sshd container.
    expect(run.out).toContain(`target: ${target!.dockerHost} (this machine's engine)`)
    expect(run.out).toContain(`sending ${ref} to ${target!.dockerHost} (docker save | docker load)`)
    const sent = /sent: (\d+) MB in ([\d.]+) s/.exec(run.out)
    expect(sent, 'the transfer step reports its size').not.toBeNull()
    const sentBytes = Number(sent![1]) * 1e6
    expect(sentBytes).toBeGreaterThan(size * 0.9)
    const through = (await receivedBytes()) - received
    expect(through).toBeGreaterThan(sentBytes * 0.99)
    const loads = await s.docker(
      ...['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000))],
      ...['--filter', 'type=image', '--filter', 'event=load', '--format', '{{.ID}}']
    )
    expect(loads.split('\n')).toContain(imageId)
    const commands = (await sessions()) - started
    expect(commands).toBeGreaterThan(20)

    // The lock was taken on the target, as this host's deploy, and is gone again.
    expect(locks.map((l) => [l.holder, l.host])).toEqual([['deploy', hostname()]])
    await expect(remoteDocker('inspect', lockName)).rejects.toThrow()

    expect(result.failures).toEqual([])
    expect(result.served).toBeGreaterThan(30)
    expect(result.versions.at(-1)).toBe(version)
    expect(await liveVersion()).toBe(version)
    console.log(
      `deploy over ssh: ${took.toFixed(1)} s; image ${sent![1]} MB in ${sent![2]} s; ` +
        `${(through / 1e6).toFixed(0)} MB into the sshd container; ${commands} ssh sessions; ` +
        `${result.served} requests served, versions ${result.versions.join(' → ')}`
    )
  })

  it('should show the deploy in make deploy-history, read from the target over ssh', async () => {
    const env = { ...process.env, ...target!.env, FORCE_COLOR: '0' }
    const started = await sessions()
    const table = await exec(
      'make',
      ['-s', '-C', fromRoot(), 'deploy-history', `ARGS=--project ${project}`],
      { env }
    )
    console.log(table.stdout)
    expect(table.stdout).toContain(`target: ${target!.dockerHost}, project ${project}`)
    expect(table.stdout).toContain(`live: ${version} (`)
    expect(table.stdout).toMatch(new RegExp(`deploy\\s+${version}\\s+\\S+\\s+ok\\s`))
    expect(await sessions()).toBeGreaterThan(started)
    const json = await exec(
      'make',
      ['-s', '-C', fromRoot(), 'deploy-history', `ARGS=--project ${project} --json`],
      { env }
    )
    const last = JSON.parse(
      json.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .at(-1)!
    )
    expect(last).toMatchObject({ kind: 'deploy', version, result: 'ok' })
    // The history file is in the project's volume on the target.
    await remoteDocker('volume', 'inspect', `${project}_deploys`)
  })

  it('should refuse a target whose host key is not the pinned one', async () => {
    const other = await mkdtemp(join(dir, 'other-'))
    await keygen(join(other, 'k'), 'not the server')
    // The shared connection would skip the host key check: close it first.
    await target!.closeConnection()
    await target!.pinHostKey((await readFile(join(other, 'k.pub'), 'utf8')).trim())
    try {
      const run = await ops(
        'deploy.ts',
        ['--project', project, '--env-file', envFile, '--version', version],
        { ...target!.env, FORCE_COLOR: '0' }
      )
      expect(run.code).toBe(1)
      expect(run.out).toContain(
        `the target (${target!.dockerHost}) does not answer: Host key verification failed`
      )
    } finally {
      await target!.pinHostKey(target!.hostKey)
    }
    expect(await liveVersion()).toBe(version)
  })
})
