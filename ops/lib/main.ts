// What every ops script's entry point shares: "am I the script that was run?" and the one
// top-level catch with the closing summary line, and the commands' default time limit.
import { $, path } from 'zx'
import { handleError } from './errors.ts'
import { summary } from './step.ts'

/** The time limit of a command that sets none of its own. */
export const DEFAULT_COMMAND_TIMEOUT = '30m'

/** True when `filename` (pass `import.meta.filename`) is the script node was started with. */
export function isMainModule(filename: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === filename
}

/**
 * Runs a script's body: an error goes through `handleError` (exit code 1), and the summary
 * line (time taken since `startedAt`) is printed either way.
 */
export async function runScript(
  body: () => Promise<void>,
  startedAt = performance.now()
): Promise<void> {
  // Every command an ops script runs has a time limit: this ceiling, unless it sets its own
  // (a long copy or a restic run sets a longer one; a followed log none).
  $.timeout = DEFAULT_COMMAND_TIMEOUT
  try {
    await body()
  } catch (err) {
    handleError(err)
  } finally {
    console.log(summary(startedAt))
  }
}
