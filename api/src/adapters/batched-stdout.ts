import type { LineWriter } from '../lib/logger.ts'

/**
 * Log lines for stdout, written once per turn of the event loop instead of once per line: stdout
 * to a pipe (docker's log driver) is a blocking write on Linux, and under load one write per
 * access-log line costs more than the request itself. Warnings and errors flush at once, with
 * everything before them, so they are never lost in a crash; at exit the rest is flushed.
 */
export function createBatchedStdout(
  out: { write(chunk: string): unknown } = process.stdout,
  maxBytes = 64 * 1024
): LineWriter & { flush(): void } {
  let pending = ''
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending === '') return
    const chunk = pending
    pending = ''
    out.write(chunk)
  }
  process.once('exit', flush)
  const write = (line: string, urgent: boolean) => {
    pending += line + '\n'
    if (urgent || pending.length >= maxBytes) return flush()
    if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  }
  return Object.assign(write, { flush })
}
