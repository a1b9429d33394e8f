// What every ops script's entry point shares: "am I the script that was run?" and the one
// top-level catch with the closing summary line.
import { path } from 'zx'
import { handleError } from './errors.ts'
import { summary } from './step.ts'

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
  try {
    await body()
  } catch (err) {
    handleError(err)
  } finally {
    console.log(summary(startedAt))
  }
}
