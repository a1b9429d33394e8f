import { $, sleep } from 'zx'

// Read-only probes of the local engine. Each is quick and never throws on a "no".
const probe = $({ quiet: true, nothrow: true, timeout: '15s' })

/** The engine's version when `docker info` answers, else undefined. */
export async function dockerServerVersion(): Promise<string | undefined> {
  const out = await probe`docker info --format {{.ServerVersion}}`
  const version = out.stdout.trim()
  return out.ok && version ? version : undefined
}

/** Why `docker info` fails (its last stderr line), for the log. */
export async function dockerInfoError(): Promise<string> {
  const out = await probe`docker info --format {{.ServerVersion}}`
  return (out.stderr.trim().split('\n').at(-1) ?? '').slice(0, 200)
}

export const dockerAnswers = async (): Promise<boolean> =>
  (await dockerServerVersion()) !== undefined

/** Polls until the engine answers; false after `timeoutMs`. */
export async function waitForDocker(timeoutMs: number, isAlive = () => true): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && isAlive()) {
    if (await dockerAnswers()) return true
    await sleep(500)
  }
  return dockerAnswers()
}

export async function imageExists(ref: string): Promise<boolean> {
  return (await probe`docker image inspect --format {{.Id}} ${ref}`).ok
}

/** Size of a local image in bytes (what `docker image ls` shows), or undefined. */
export async function imageSize(ref: string): Promise<number | undefined> {
  const out = await probe`docker image inspect --format {{.Size}} ${ref}`
  return out.ok ? Number(out.stdout.trim()) : undefined
}

export async function imageLabel(ref: string, label: string): Promise<string | undefined> {
  const out =
    await probe`docker image inspect --format ${`{{index .Config.Labels "${label}"}}`} ${ref}`
  const value = out.stdout.trim()
  return out.ok && value && value !== '<no value>' ? value : undefined
}

/** `docker compose` v2's version, or undefined when the plugin is missing. */
export async function composeVersion(): Promise<string | undefined> {
  const out = await probe`docker compose version --short`
  return out.ok ? out.stdout.trim() : undefined
}

export const buildxAvailable = async (): Promise<boolean> => (await probe`docker buildx version`).ok

/** The engine's OS/architecture, e.g. `linux/amd64`. */
export async function dockerPlatform(): Promise<string | undefined> {
  const out = await probe`docker version --format {{.Server.Os}}/{{.Server.Arch}}`
  return out.ok ? out.stdout.trim() : undefined
}

export const formatMB = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`
