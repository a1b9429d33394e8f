import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { SttError } from '../errors.ts'

const run = promisify(execFile)
const MAX_OUTPUT = 64 * 1024 * 1024

export const runEngine = (bin: string, args: string[], opts: { timeout: number }) =>
  run(bin, args, { maxBuffer: MAX_OUTPUT, timeout: opts.timeout })

/** The engine's failure as a 500 naming its cause; the details go to the log. */
export function failed(err: unknown, isProblem: (line: string) => boolean): SttError {
  const e = err as { stderr?: string; killed?: boolean; code?: unknown; signal?: unknown }
  const problems = (e.stderr ?? '').split('\n').filter(isProblem)
  const detail = { code: e.code, signal: e.signal, stderr: problems.slice(-3) }
  console.error(JSON.stringify({ time: new Date().toISOString(), msg: 'engine failed', ...detail }))
  const why = e.killed ? 'timed out' : (problems.at(-1)?.slice(0, 300) ?? 'failed')
  return new SttError(500, `the speech engine ${why}`, 'engine_failed')
}
