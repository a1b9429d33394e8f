// The release's image: built on this machine from the git tree, then, when the target is
// another engine (or --transfer always), sent with `docker save | docker load` over the same
// connection the docker CLI uses (ssh for DOCKER_HOST=ssh://…): no registry needed.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { $ } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { imageRef } from '../../lib/images.ts'
import { fromRoot } from '../../lib/paths.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { detail } from '../../lib/step.ts'
import { localEnv } from '../../lib/target.ts'
import { need } from './context.ts'
import type { ReleaseContext } from './context.ts'

const idOf = async (ref: string, env?: NodeJS.ProcessEnv): Promise<string | undefined> => {
  const out = await $({
    quiet: true,
    nothrow: true,
    timeout: '60s',
    ...(env ? { env } : {}),
  })`docker image inspect --format {{.Id}} ${ref}`
  return out.ok ? out.stdout.trim() : undefined
}

const sends = (c: ReleaseContext) =>
  c.o.transfer === 'always' ||
  (need(c.target, 'the target').remote && c.o.transfer === 'if-missing')

export const build = defineStep<ReleaseContext>({
  name: (c) => `build ${c.version}`,
  changes: true,
  when: (c) => c.o.build,
  plan: (c) => `build ${imageRef('api', need(c.version, 'the version'))} from the git tree`,
  run: async (c) => {
    const version = need(c.version, 'the version')
    await $({
      stdio: ['ignore', 'inherit', 'inherit'],
      env: localEnv(),
    })`${fromRoot('node_modules/.bin/tsx')} ${fromRoot('ops/build-images.ts')} --only api --tag ${version}`
    return `${imageRef('api', version)} built`
  },
})

/** Makes sure the target has the release image. */
export const imageOnTarget = defineStep<ReleaseContext>({
  name: 'image on the target',
  changes: true,
  plan: (c) => {
    const ref = imageRef('api', need(c.version, 'the version'))
    return sends(c)
      ? `send ${ref} to the target (docker save | docker load)`
      : `check that ${ref} is on the target`
  },
  run: async (c) => {
    const target = need(c.target, 'the target')
    const ref = imageRef('api', need(c.version, 'the version'))
    const there = await idOf(ref)
    if (!sends(c)) {
      if (there) return `${ref} is on the target`
      throw new StopError(
        `${ref} is not on the target (${target.label})`,
        c.o.kind === 'rollback'
          ? 'only the last --keep releases stay; deploy that version again from its commit'
          : 'build it (make deploy without VERSION) or tag it, then retry'
      )
    }
    const here = await idOf(ref, localEnv())
    if (!here) throw new StopError(`${ref} is not on this machine to send`, 'build it first')
    if (here === there && c.o.transfer !== 'always') return `${ref} is already on the target`
    detail(`sending ${ref} to ${target.label} (docker save | docker load)`)
    const started = performance.now()
    const bytes = await saveAndLoad(ref, 30 * 60_000)
    const seconds = (performance.now() - started) / 1000
    const loaded = await idOf(ref)
    if (loaded !== here)
      throw new StopError(`the target has a different ${ref} after loading`, 'retry the deploy')
    const mb = bytes / 1e6
    return `${ref} sent: ${mb.toFixed(0)} MB in ${seconds.toFixed(1)} s (${(mb / seconds).toFixed(0)} MB/s)`
  },
})

const exited = (p: ChildProcess) =>
  new Promise<number | null>((resolve, reject) => {
    p.on('error', reject)
    p.on('close', (code) => resolve(code))
  })

/**
 * `docker save` from this machine's engine piped into `docker load` on the target (through the
 * docker CLI's own connection: ssh for DOCKER_HOST=ssh://…), counting the bytes sent.
 */
function saveAndLoad(ref: string, timeoutMs: number): Promise<number> {
  const save = spawn('docker', ['save', ref], {
    env: localEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const load = spawn('docker', ['load', '--quiet'], { stdio: ['pipe', 'ignore', 'pipe'] })
  const stderr = { save: '', load: '' }
  save.stderr.on('data', (d: Buffer) => (stderr.save += String(d)))
  load.stderr.on('data', (d: Buffer) => (stderr.load += String(d)))
  let bytes = 0
  save.stdout.on('data', (d: Buffer) => (bytes += d.length))
  save.stdout.pipe(load.stdin)
  // A load that dies first breaks the pipe (its own exit and stderr say why): stop the save,
  // which would otherwise wait on a full pipe until the timeout.
  load.stdin.on('error', () => undefined)
  load.on('close', (code) => code !== 0 && save.kill())
  const timer = setTimeout(() => [save, load].forEach((p) => p.kill()), timeoutMs)
  return Promise.all([exited(save), exited(load)]).then(([s, l]) => {
    clearTimeout(timer)
    if (s === 0 && l === 0) return bytes
    // Both reasons: a failed save leaves load a truncated stream, a lost load a broken pipe.
    const why = [
      s === 0 ? '' : `docker save here: ${lastLine(stderr.save, s)}`,
      l === 0 ? '' : `docker load on the target: ${lastLine(stderr.load, l)}`,
    ]
    throw new StopError(
      `sending ${ref} failed after ${(bytes / 1e6).toFixed(0)} MB: ${why.filter(Boolean).join('; ')}`,
      'check the connection to the target and its free disk, then retry'
    )
  })
}

const lastLine = (text: string, code: number | null) =>
  (text.trim().split('\n').at(-1) || `exit ${code ?? 'by signal'}`).slice(0, 200)
