// Runs the backup scripts the way an operator does (a child process with its own settings), for
// the stack tests of backups.
import { spawn } from 'node:child_process'
import { fromRoot } from '../../ops/lib/paths.ts'

export type Run = { code: number; out: string }

/** Runs `ops/<script>` with `env` on top of the test's environment; its output, merged. */
export function ops(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(fromRoot('node_modules/.bin/tsx'), [fromRoot('ops', script), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += String(d)))
    child.stderr.on('data', (d: Buffer) => (out += String(d)))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code: code ?? 1, out }))
  })
}

/** `restic <args>` with `env`; its stdout, or a rejection naming the exit code and stderr. */
export function restic(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('restic', args, { env: { ...process.env, ...env } })
    let text = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (text += String(d)))
    child.stderr.on('data', (d: Buffer) => (err += String(d)))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`restic ${args[0]}: exit ${code}: ${err}`))
    )
  })
}
