import { echo, parseArgv } from 'zx'
import { z } from 'zod'
import { StopError } from './errors.ts'

type Spec<S extends z.ZodRawShape> = {
  usage: string
  shape: S
  boolean?: string[]
  string?: string[]
}

/**
 * Parses the command line once, at the top of a script (STYLE 12): `--help` prints the usage
 * and exits, unknown flags and bad values stop with one line.
 */
export function parseArgs<S extends z.ZodRawShape>(spec: Spec<S>): z.infer<z.ZodObject<S>> {
  const raw = parseArgv(process.argv.slice(2), {
    boolean: ['help', ...(spec.boolean ?? [])],
    string: spec.string ?? [],
    alias: { h: 'help' },
  })
  if (raw.help) {
    echo(spec.usage.trim())
    process.exit(0)
  }
  const { _: positional, h: _h, help: _help, ...flags } = raw
  if (positional.length > 0) {
    throw new StopError(`unexpected argument: ${positional.join(' ')}`, 'see --help')
  }
  const parsed = z.object(spec.shape).strict().safeParse(flags)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? `--${issue.path.join('.')}: ` : ''
    throw new StopError(`bad arguments: ${where}${issue?.message ?? 'invalid'}`, 'see --help')
  }
  return parsed.data
}
