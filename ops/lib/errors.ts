import { ProcessOutput } from 'zx'

/** An expected stop: the operator can fix it. `hint` says how. */
export class StopError extends Error {
  constructor(
    message: string,
    readonly hint: string
  ) {
    super(message)
    this.name = 'StopError'
  }
}

const tail = (text: string, lines = 12): string => text.trim().split('\n').slice(-lines).join('\n')

/**
 * The scripts' one top-level catch: a stop prints its message and hint, a failed command
 * prints its exit code and the end of its stderr; both set exit code 1. Anything else is
 * a bug, so it is rethrown with its stack.
 */
export function handleError(err: unknown): void {
  process.exitCode = 1
  if (err instanceof StopError) {
    console.error(`✗ ${err.message}\n  → ${err.hint}`)
    return
  }
  if (err instanceof ProcessOutput) {
    const why = err.signal ? `killed by ${err.signal} (timeout?)` : `exit ${err.exitCode}`
    const detail = tail(err.stderr || err.stdout)
    console.error(`✗ a command failed (${why})${detail ? `:\n${detail.replace(/^/gm, '  ')}` : ''}`)
    return
  }
  throw err
}
