// Child processes for the benchmark: spawned, tracked, and always ended, plus what /proc says
// about them (memory and CPU time). Linux only, like the servers this project deploys to.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'

export type Child = {
  name: string
  proc: ChildProcess
  pid: number
  /** The last lines the child printed (stdout and stderr), for error messages. */
  tail: () => string
  /** Resolves with the exit code (or the signal's name) once the child has exited. */
  exited: Promise<number | string>
  /** Calls `fn` with each line the child prints on stdout. */
  onLine: (fn: (line: string) => void) => void
}

const running = new Set<ChildProcess>()

export function spawnChild(
  name: string,
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string }
): Child {
  const proc = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (proc.pid === undefined) throw new Error(`could not start ${name}: ${command}`)
  running.add(proc)
  const lines: string[] = []
  const listeners: ((line: string) => void)[] = []
  const keep = (stream: 'out' | 'err') => {
    let partial = ''
    return (data: Buffer) => {
      const parts = (partial + data.toString('utf8')).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) {
        lines.push(line)
        if (lines.length > 40) lines.shift()
        if (stream === 'out') for (const fn of listeners) fn(line)
      }
    }
  }
  proc.stdout?.on('data', keep('out'))
  proc.stderr?.on('data', keep('err'))
  const exited = new Promise<number | string>((resolve) => {
    proc.on('exit', (code, signal) => {
      running.delete(proc)
      resolve(code ?? signal ?? 'unknown')
    })
  })
  return {
    name,
    proc,
    pid: proc.pid,
    tail: () => lines.join('\n'),
    exited,
    onLine: (fn) => void listeners.push(fn),
  }
}

/** Runs a child to completion; throws with its output when it does not exit with 0. */
export async function runToEnd(child: Child): Promise<string> {
  const code = await child.exited
  if (code !== 0) throw new Error(`${child.name} exited with ${code}:\n${child.tail()}`)
  return child.tail()
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return
  child.proc.kill('SIGTERM')
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs)
  await child.exited
  clearTimeout(timer)
}

/** For `process.on('exit')`: nothing asynchronous can run there, so every child gets SIGKILL. */
export function killAllNow(): void {
  for (const proc of running) proc.kill('SIGKILL')
}

/**
 * Stops every child still running and waits until each has exited: SIGTERM then SIGKILL after
 * `graceMs`, or SIGKILL at once with `graceMs` 0.
 */
export async function stopAll(graceMs = 10_000): Promise<void> {
  await Promise.all(
    [...running].map(
      (proc) =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve()
          const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs)
          proc.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
          proc.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL')
        })
    )
  )
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, resolve)
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Polls `url` until it answers 200; fails early if the child exits. */
export async function waitForHttp(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exited: number | string | undefined
  void child.exited.then((code) => (exited = code))
  while (Date.now() < deadline) {
    if (exited !== undefined)
      throw new Error(`${child.name} exited with ${exited} before answering:\n${child.tail()}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      await res.arrayBuffer()
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms:\n${child.tail()}`)
}

export type MemoryStatus = { rssKb: number; hwmKb: number }

/** VmRSS (resident now) and VmHWM (resident peak since start or the last reset), in kB. */
export async function readMemory(pid: number): Promise<MemoryStatus> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)
    if (!m?.[1]) throw new Error(`no ${name} in /proc/${pid}/status`)
    return Number(m[1])
  }
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') }
}

/**
 * Resets VmHWM to the current RSS (`echo 5 > /proc/PID/clear_refs`, Linux 4.0+), so a later
 * VmHWM is the peak of what follows, not of the earlier load. False when not allowed.
 */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/** Samples VmRSS every `everyMs` until stopped; returns the highest sample and the count. */
export function sampleRss(pid: number, everyMs = 50) {
  let peakKb = 0
  let samples = 0
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    readMemory(pid)
      .then(({ rssKb }) => {
        samples++
        if (rssKb > peakKb) peakKb = rssKb
      })
      .catch(() => {})
      .finally(() => (busy = false))
  }, everyMs)
  return {
    async stop(): Promise<{ peakKb: number; samples: number }> {
      clearInterval(timer)
      const { rssKb } = await readMemory(pid)
      return { peakKb: Math.max(peakKb, rssKb), samples: samples + 1 }
    },
  }
}

// Linux reports CPU time in clock ticks; USER_HZ is 100 on every architecture Node supports.
const TICKS_PER_SECOND = 100

/** User + system CPU seconds the process has used so far (from /proc/PID/stat). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}
