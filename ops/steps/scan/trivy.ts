// Finds a Trivy the scan may trust, or builds the pinned release from the Go module proxy into
// the tools cache. Every candidate's `trivy --version` is checked: a compromised release stops
// the run by name wherever it was found (TRIVY_BIN, PATH or the cache).
import { $, fs, path, which } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { detail } from '../../lib/step.ts'
import { TRIVY_VERSION, judgeTrivyVersion } from './trivy-version.ts'
import { childEnv } from '../../lib/env.ts'

export const TRIVY_MODULE = 'github.com/aquasecurity/trivy'
export const trivyCacheDir = (toolsDir: string): string =>
  path.join(toolsDir, `trivy-v${TRIVY_VERSION}`)

export type TrivyTool = { bin: string; version: string; origin: string }

async function versionOf(bin: string): Promise<string> {
  const out = await $({ quiet: true, nothrow: true, timeout: '30s' })`${bin} --version`
  return out.stdout
}

/** Checks one candidate; undefined when it is unusable (with a note why), a stop if refused. */
async function accept(bin: string, origin: string): Promise<TrivyTool | undefined> {
  const verdict = judgeTrivyVersion(await versionOf(bin))
  if (verdict.ok) return { bin, version: verdict.version, origin }
  if (verdict.refused)
    throw new StopError(
      `refusing ${bin} (${origin}): ${verdict.why}`,
      'remove that binary and treat the machine as exposed (rotate the secrets it could read); `make trivy` builds a clean pinned release'
    )
  detail(`not using ${bin} (${origin}): ${verdict.why}`)
  return undefined
}

/** Operator's TRIVY_BIN, then trivy on PATH, then the cached build; undefined if none passes. */
export async function findTrivy(o: {
  trivyBin?: string | undefined
  toolsDir: string
}): Promise<TrivyTool | undefined> {
  const candidates: [string, string][] = []
  if (o.trivyBin) candidates.push([o.trivyBin, 'TRIVY_BIN'])
  const onPath = await which('trivy', { nothrow: true })
  if (onPath) candidates.push([onPath, 'PATH'])
  const cached = path.join(trivyCacheDir(o.toolsDir), 'trivy')
  if (await fs.pathExists(cached)) candidates.push([cached, 'cache'])
  for (const [bin, origin] of candidates) {
    const tool = await accept(bin, origin)
    if (tool) return tool
  }
  return undefined
}

/**
 * `go install` of the pinned release: static (CGO off), stripped, version stamped the way
 * Trivy's own release build does. Prints a progress line every 100 packages compiled.
 */
export async function buildTrivy(toolsDir: string): Promise<TrivyTool> {
  const go = await which('go', { nothrow: true })
  if (!go)
    throw new StopError(
      'no trivy that passes the version check, and no Go toolchain to build one',
      `install Go >= 1.26.3, or set TRIVY_BIN to a trivy ${TRIVY_VERSION}`
    )
  const dir = trivyCacheDir(toolsDir)
  const staging = `${dir}.partial`
  await fs.emptyDir(staging)
  const ldflags = `-s -w -X ${TRIVY_MODULE}/pkg/version/app.ver=${TRIVY_VERSION}`
  detail(
    `go install ${TRIVY_MODULE}/cmd/trivy@v${TRIVY_VERSION} → ${dir} (minutes on a cold cache)`
  )
  const build = $({
    quiet: true,
    timeout: '40m',
    env: childEnv(
      {
        GOBIN: staging,
        CGO_ENABLED: '0',
        // Trivy 0.74 uses encoding/json/v2, an experiment in Go 1.26 (its release build sets it).
        GOEXPERIMENT: 'jsonv2',
        GOTOOLCHAIN: 'local',
        GOFLAGS: '-mod=mod',
      },
      // The machine is shared: two compile jobs at most, unless the operator says otherwise.
      { GOMAXPROCS: '2' }
    ),
  })`${go} install -v -p 2 -trimpath -ldflags ${ldflags} ${TRIVY_MODULE}/cmd/trivy@v${TRIVY_VERSION}`
  let compiled = 0
  let downloads = 0
  let shown = 0
  for await (const chunk of build.stderr) {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      if (line.startsWith('go: downloading')) downloads++
      else compiled++
    }
    if (Math.floor((compiled + downloads) / 100) > shown) {
      shown = Math.floor((compiled + downloads) / 100)
      detail(`trivy build: ${downloads} modules downloaded, ${compiled} packages built…`)
    }
  }
  await build
  await fs.move(path.join(staging, 'trivy'), path.join(dir, 'trivy'), { overwrite: true })
  await fs.remove(staging)
  const tool = await accept(path.join(dir, 'trivy'), 'built')
  if (!tool) throw new StopError(`the built trivy did not pass its own version check`, dir)
  return tool
}

/** A trusted trivy: found, or built once into the cache. */
export async function ensureTrivy(o: {
  trivyBin?: string | undefined
  toolsDir: string
}): Promise<TrivyTool> {
  return (await findTrivy(o)) ?? (await buildTrivy(o.toolsDir))
}
