// promtool and amtool for the monitor's unit tests: Debian's binaries that
// ops/install-test-deps.sh extracts into build/tools/bin.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import { fromRoot } from '../../ops/lib/paths.ts'

const exec = promisify(execFile)

export type ToolRun = { code: number; out: string }

export async function monitorTool(tool: 'promtool' | 'amtool', args: string[]): Promise<ToolRun> {
  const bin = fromRoot('build', 'tools', 'bin', tool)
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run bash ops/install-test-deps.sh`)
  try {
    const { stdout, stderr } = await exec(bin, args, { timeout: 60_000 })
    return { code: 0, out: stdout + stderr }
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string }
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    }
  }
}
