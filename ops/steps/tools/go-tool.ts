// What the Go-built tools share (kustomize, the strict decoder): one environment for `go
// build`/`go install` (static, stripped, the machine's own toolchain, two compile jobs at most
// since the machine is shared) and an atomic move into the tools cache under a lock, so two
// runs on a fresh machine build once and never see half a binary.
import { $, fs, path, which } from 'zx'
import { childEnv } from '../../lib/env.ts'
import { StopError } from '../../lib/errors.ts'
import { acquireLock } from '../../lib/lock.ts'
import { detail } from '../../lib/step.ts'

/** The environment of every Go tool build. */
export const goBuildEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
  childEnv(
    { CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod -trimpath', ...extra },
    // The operator's GOMAXPROCS wins; two compile jobs otherwise.
    { GOMAXPROCS: '2' }
  )

/** Stops with one line when there is no Go toolchain to build with. */
export async function requireGo(tool: string): Promise<string> {
  const go = await which('go', { nothrow: true })
  if (!go)
    throw new StopError(
      `no Go toolchain to build ${tool}`,
      'install Go >= 1.26 (go.dev/dl); the build runs once and is cached'
    )
  return go
}

/** True when `bin` exists and `bin ...args` exits 0 (a cached tool that still runs). */
export async function answers(bin: string, args: string[]): Promise<boolean> {
  if (!(await fs.pathExists(bin))) return false
  return (await $({ quiet: true, nothrow: true, timeout: '20s' })`${bin} ${args}`).exitCode === 0
}

/**
 * Builds a tool into `bin` once: under a lock beside it, `build(out)` writes the binary to a
 * staging path, which is then renamed into place. Returns the build's wall time in seconds, or
 * undefined when another run had already built it.
 */
export async function buildOnce(
  bin: string,
  probe: () => Promise<boolean>,
  build: (out: string) => Promise<void>
): Promise<number | undefined> {
  const lock = await acquireLock(`${path.dirname(bin)}.lock`, `build of ${path.basename(bin)}`)
  try {
    if (await probe()) return undefined
    const started = Date.now()
    // go prints nothing while it compiles: say it is alive every 30 s.
    const beat = setInterval(
      () => detail(`still building… ${Math.round((Date.now() - started) / 1000)} s`),
      30_000
    )
    try {
      await fs.mkdirp(path.dirname(bin))
      const partial = `${bin}.partial`
      await fs.remove(partial)
      await build(partial)
      await fs.rename(partial, bin)
    } finally {
      clearInterval(beat)
    }
    return (Date.now() - started) / 1000
  } finally {
    await lock.release()
  }
}
