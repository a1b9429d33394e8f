import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { SttError } from '../errors.ts'

const run = promisify(execFile)
const MAX_OUTPUT = 64 * 1024 * 1024

/** A stuck guard, not a deadline: generous, since a busy machine slows every engine down. */
export const engineTimeout = (duration: number): number => Math.round(120_000 + duration * 4_000)

export const runEngine = (
  bin: string,
  args: string[],
  opts: { timeout: number; signal?: AbortSignal }
) => run(bin, args, { maxBuffer: MAX_OUTPUT, timeout: opts.timeout, signal: opts.signal })

/** The engine's failure as a 500 naming its cause; the details go to the log. */
export function failed(err: unknown, isProblem: (line: string) => boolean): SttError {
  const e = err as {
    stderr?: string
    killed?: boolean
    code?: unknown
    signal?: unknown
    name?: string
  }
  if (e.name === 'AbortError') return new SttError(499, 'the client went away', 'client_closed')
  const problems = (e.stderr ?? '').split('\n').filter(isProblem)
  const detail = { code: e.code, signal: e.signal, stderr: problems.slice(-3) }
  console.error(JSON.stringify({ time: new Date().toISOString(), msg: 'engine failed', ...detail }))
  const why = e.killed ? 'timed out' : (problems.at(-1)?.slice(0, 300) ?? 'failed')
  return new SttError(500, `the speech engine ${why}`, 'engine_failed')
}
