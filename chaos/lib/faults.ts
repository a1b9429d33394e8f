// What the faults are made of: the engine (kill, pause, start) and the kernel (iptables and tc
// run in a container's network namespace through nsenter, which needs root on the host). Every
// external command has a time limit.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { BASE_IMAGE } from '../../ops/lib/images.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import type { Target } from './target.ts'

const exec = promisify(execFile)

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Runs a command in a container's network namespace (its own iptables and qdiscs). */
export async function inNetns(target: Target, service: string, cmd: string[]): Promise<string> {
  const pid = await target.pid(service)
  if (!pid) throw new Error(`${service} is not running`)
  const { stdout } = await exec('nsenter', ['-t', String(pid), '-n', ...cmd], { timeout: 10_000 })
  return stdout.trim()
}

/** Polls `check` every 250 ms until it holds or `ms` pass; returns whether it held. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const end = Date.now() + ms
  for (;;) {
    if (await check().catch(() => false)) return true
    if (Date.now() > end) return false
    await sleep(250)
  }
}

/** Starts a stopped container (idempotent) and waits until its healthcheck says healthy. */
export async function ensureHealthy(target: Target, service: string, ms = 120_000) {
  if (!(await target.running(service))) await target.docker('start', target.container(service))
  const ok = await within(
    ms,
    async () =>
      (await target.docker(
        'inspect',
        '-f',
        '{{.State.Health.Status}}',
        target.container(service)
      )) === 'healthy'
  )
  if (!ok) throw new Error(`${service} not healthy after ${ms / 1000} s`)
}

/** The stress-ng image, built once per content of its Dockerfile (not part of make images). */
export async function stressImage(): Promise<string> {
  const dir = fromRoot('chaos', 'images', 'stress-ng')
  const hash = createHash('sha256')
    .update(BASE_IMAGE)
    .update(await readFile(`${dir}/Dockerfile`))
    .digest('hex')
    .slice(0, 12)
  const ref = `medic-scribe/chaos-stress:${hash}`
  const have = await exec('docker', ['image', 'inspect', ref]).then(
    () => true,
    () => false
  )
  if (!have) {
    console.log(`building ${ref} (stress-ng from Debian, once)`)
    await exec(
      'docker',
      ['build', '-q', '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '-t', ref, dir],
      {
        timeout: 300_000,
      }
    )
  }
  return ref
}
