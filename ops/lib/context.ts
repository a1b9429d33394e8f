import { $, quote } from 'zx'
import { detail } from './step.ts'

/** Runs a command that changes the machine; in a dry run it only prints it. */
export type Runner = (pieces: TemplateStringsArray, ...args: unknown[]) => Promise<void>

export type OpsContext = {
  dryRun: boolean
  /** Commands that change something: streamed to the terminal, or only printed in a dry run. */
  run: Runner
  /** Same, but silent unless they fail (their output is in the error). */
  runQuiet: Runner
}

/** The command line a template would run, as zx would quote it. */
export function render(pieces: TemplateStringsArray, args: unknown[]): string {
  const arg = (a: unknown): string =>
    Array.isArray(a) ? a.map((x) => quote(String(x))).join(' ') : quote(String(a))
  const cmd = pieces.reduce((s, piece, i) => s + piece + (i < args.length ? arg(args[i]) : ''), '')
  return cmd.replace(/ {2,}/g, ' ')
}

export function createContext({ dryRun }: { dryRun: boolean }): OpsContext {
  const loud = $({ stdio: ['ignore', 'inherit', 'inherit'] })
  const quiet = $({ quiet: true })
  const plan: Runner = async (pieces, ...args) => detail(`would run: ${render(pieces, args)}`)
  return {
    dryRun,
    run: dryRun ? plan : async (pieces, ...args) => void (await loud(pieces, ...args)),
    runQuiet: dryRun ? plan : async (pieces, ...args) => void (await quiet(pieces, ...args)),
  }
}
