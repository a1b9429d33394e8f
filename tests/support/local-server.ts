// A test server run as a child process of the test (PostgreSQL, PgBouncer, SeaweedFS from
// Debian's packages or the tools cache), in a temporary folder, on loopback: started, waited for
// until it answers, and stopped with its folder removed. The servers differ only in their
// command line and in how they say they are ready.
import { spawn } from 'node:child_process'
import type { ChildProcess, SpawnOptions } from 'node:child_process'
import { rm } from 'node:fs/promises'

export { freePort } from './scratch-stack.ts'

export type LocalServer = { child: ChildProcess; stop(): Promise<void> }

/**
 * Spawns `bin args`, polls `ready` every `pollMs` until it answers true, and throws `<name> did
 * not start: <the end of its log>` if the server exits first or `timeoutMs` passes. `stop`
 * sends `stopSignal` (SIGKILL after 5 s), then removes `dir`.
 */
export async function startLocalServer(o: {
  name: string
  bin: string
  args: string[]
  dir: string
  ready: () => Promise<boolean>
  options?: SpawnOptions
  timeoutMs: number
  pollMs: number
  stopSignal?: NodeJS.Signals
}): Promise<LocalServer> {
  const child = spawn(o.bin, o.args, { ...o.options, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  const keep = (d: Buffer) => (log = (log + d.toString()).slice(-20_000))
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const stop = async () => {
    // Killed by a signal, a child has signalCode set and exitCode still null.
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(o.stopSignal ?? 'SIGINT')
      const killed = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await new Promise((r) => child.once('exit', r))
      clearTimeout(killed)
    }
    await rm(o.dir, { recursive: true, force: true })
  }
  const until = Date.now() + o.timeoutMs
  while (!(await o.ready().catch(() => false))) {
    if (Date.now() > until || child.exitCode !== null) {
      await stop()
      throw new Error(`${o.name} did not start: ${log.slice(-2000)}`)
    }
    await new Promise((r) => setTimeout(r, o.pollMs))
  }
  return { child, stop }
}
