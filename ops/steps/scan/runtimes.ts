// Node's end of life for the runtime in each image (from the table in node-eol.ts, so it works
// offline), and npm packages marked deprecated or left on a major their maintainers have moved
// on from. The registry is the only source of both (the lock file keeps neither): asked with
// `npm view` once per direct dependency, the answers kept a week in build/scan/npm-registry.json
// and used instead when the registry is unreachable (or with --no-registry).
import { $, fs } from 'zx'
import { fromRoot } from '../../lib/paths.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { detail } from '../../lib/step.ts'
import { unlessPart } from './context.ts'
import type { ScanContext } from './context.ts'
import { stackImages } from './images.ts'
import { judgeNodeVersion } from './node-eol.ts'

export const nodeRuntimes = defineStep<ScanContext>({
  name: 'node end of life',
  changes: false,
  skip: unlessPart('runtimes'),
  run: async (c) => {
    const seen: string[] = []
    for (const ref of stackImages(c)) {
      const out = await $({
        quiet: true,
        nothrow: true,
        timeout: '30s',
      })`docker run --rm --network none --entrypoint node ${ref} --version`
      if (!out.ok) continue
      const version = out.stdout.trim()
      const v = judgeNodeVersion(version, c.today)
      const eol = 'eol' in v ? v.eol : 'unknown'
      c.runtimes.push({ image: ref, node: version, eol, state: v.state })
      seen.push(`${ref} ${version} (${v.state}, end of life ${eol})`)
      if (v.state === 'supported') continue
      c.findings.push({
        id: v.state === 'unknown' ? 'runtime.node-eol-unknown' : `runtime.node-${v.state}`,
        target: `image ${ref}`,
        source: 'runtime',
        severity: v.state === 'ended' ? 'high' : 'medium',
        title:
          v.state === 'unknown'
            ? `Node ${version}: no end-of-life date in ops/steps/scan/node-eol.ts`
            : `Node ${version} ${v.state === 'ended' ? 'reached its end of life' : 'reaches its end of life'} on ${eol}`,
        fix: 'move the `node` devDependency to the current LTS major and rebuild the images',
      })
    }
    c.checked.push({ part: 'node runtime', what: seen.join('; ') || 'no image carries node' })
    return seen.join('; ')
  },
})

type Lock = { packages: Record<string, { version?: string }> }
type PkgJson = { dependencies?: Record<string, string>; devDependencies?: Record<string, string> }
type RegistryAnswer = {
  deprecated?: string
  latest?: string
  /** The newest release of the installed version's major, and when it was published. */
  majorNewest?: { version: string; published: string }
  checkedAt: string
}

/** A major line is past its maintenance when a newer major exists and it had no release in this long. */
export const UNMAINTAINED_AFTER_DAYS = 365

const majorOf = (v: string | undefined): number => Number(v?.split('.')[0])

/** The newest release (no prerelease) of `version`'s major line, from `npm view`'s versions and time. */
export function newestOfMajor(
  version: string,
  versions: string[],
  time: Record<string, string>
): { version: string; published: string } | undefined {
  const line = versions.filter((v) => majorOf(v) === majorOf(version) && !v.includes('-'))
  const newest = line.reduce<string | undefined>(
    (best, v) => (best === undefined || (time[v] ?? '') > (time[best] ?? '') ? v : best),
    undefined
  )
  return newest && time[newest] ? { version: newest, published: time[newest] } : undefined
}

/**
 * Whether a dependency sits on a major its maintainers left: a newer major exists and the
 * installed line had no release for UNMAINTAINED_AFTER_DAYS (today: YYYY-MM-DD).
 */
export function pastMaintainedMajor(version: string, a: RegistryAnswer, today: string): boolean {
  if (!a.latest || !a.majorNewest || majorOf(a.latest) <= majorOf(version)) return false
  const days = (Date.parse(today) - Date.parse(a.majorNewest.published)) / 86_400_000
  return days > UNMAINTAINED_AFTER_DAYS
}
const CACHE = fromRoot('build', 'scan', 'npm-registry.json')
/** Kept answers younger than this are used without asking again. */
const FRESH_MS = 7 * 86_400_000

/** The direct dependencies of the root and the workspaces, at the versions the lock installs. */
async function directDependencies(): Promise<{ name: string; version: string }[]> {
  const lock = (await fs.readJson(fromRoot('package-lock.json'))) as Lock
  const names = new Set<string>()
  for (const file of ['package.json', 'api/package.json', 'web/package.json']) {
    if (!(await fs.pathExists(fromRoot(file)))) continue
    const pkg = (await fs.readJson(fromRoot(file))) as PkgJson
    for (const n of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) names.add(n)
  }
  return [...names]
    .map((name) => ({ name, version: lock.packages[`node_modules/${name}`]?.version ?? '' }))
    .filter((d) => d.version)
}

async function askRegistry(name: string, version: string): Promise<RegistryAnswer | undefined> {
  const out = await $({
    quiet: true,
    nothrow: true,
    timeout: '60s',
  })`npm view ${`${name}@${version}`} --json`
  if (!out.ok || !out.stdout.trim()) return undefined
  const doc = JSON.parse(out.stdout) as {
    deprecated?: string
    'dist-tags'?: { latest?: string }
    versions?: string[]
    time?: Record<string, string>
  }
  const majorNewest = newestOfMajor(version, doc.versions ?? [], doc.time ?? {})
  return {
    ...(doc.deprecated ? { deprecated: doc.deprecated } : {}),
    ...(doc['dist-tags']?.latest ? { latest: doc['dist-tags'].latest } : {}),
    ...(majorNewest ? { majorNewest } : {}),
    checkedAt: new Date().toISOString(),
  }
}

/**
 * A version npmjs.org marks deprecated: when the registry's answer for it carries no
 * deprecation (a mirror that strips the field), "none deprecated" would be a false comfort.
 */
const CANARY = { name: 'inflight', version: '1.0.6' }

export const npmDeprecations = defineStep<ScanContext>({
  name: 'npm deprecations',
  changes: false,
  skip: unlessPart('npm'),
  run: async (c) => {
    const deps = await directDependencies()
    const cache = ((await fs.pathExists(CACHE)) ? await fs.readJson(CACHE) : {}) as Record<
      string,
      RegistryAnswer
    >
    let asked = 0
    let fromCache = 0
    let unknown = 0
    const queue = [...deps, CANARY]
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const key = `${d.name}@${d.version}`
        const kept = cache[key]
        // Answers kept before the release dates were asked for are asked again when possible.
        const complete = kept?.majorNewest !== undefined
        if (
          kept &&
          (c.npmOffline || (complete && Date.now() - Date.parse(kept.checkedAt) < FRESH_MS))
        ) {
          fromCache++
          continue
        }
        const answer = c.npmOffline ? undefined : await askRegistry(d.name, d.version)
        if (answer) {
          cache[key] = answer
          asked++
        } else if (kept) fromCache++
        else unknown++
      }
    }
    await Promise.all(Array.from({ length: 12 }, worker))
    const canary = cache[`${CANARY.name}@${CANARY.version}`]
    if (canary && !canary.deprecated)
      c.warnings.push(
        `npm deprecations are not known: the registry answers without them (${CANARY.name}@${CANARY.version}, deprecated on npmjs.org, shows none)`
      )
    await fs.outputJson(CACHE, cache, { spaces: 1 })
    const behind: string[] = []
    for (const d of deps) {
      const a = cache[`${d.name}@${d.version}`]
      if (!a) continue
      if (a.deprecated)
        c.findings.push({
          id: 'npm.deprecated',
          target: `${d.name}@${d.version}`,
          source: 'npm',
          severity: 'medium',
          title: `deprecated: ${a.deprecated}`,
          fix: 'move to the replacement the message names',
        })
      if (pastMaintainedMajor(d.version, a, c.today))
        c.findings.push({
          id: 'npm.unmaintained-major',
          target: `${d.name}@${d.version}`,
          source: 'npm',
          severity: 'medium',
          title: `major ${majorOf(d.version)} had its last release (${a.majorNewest!.version}) on ${a.majorNewest!.published.slice(0, 10)}; the maintained major is ${majorOf(a.latest)} (${a.latest})`,
          fix: `move to ${d.name}@${majorOf(a.latest)}`,
        })
      else if (a.latest && majorOf(a.latest) > majorOf(d.version))
        behind.push(`${d.name} ${d.version} (latest ${a.latest})`)
    }
    if (behind.length) {
      c.warnings.push(`npm packages behind their latest major (not failing): ${behind.join(', ')}`)
      detail(`behind their latest major: ${behind.length}`)
    }
    if (unknown)
      c.warnings.push(
        `npm deprecation unknown for ${unknown} packages: the registry did not answer and no earlier answer is kept`
      )
    c.checked.push({
      part: 'npm',
      what: `${deps.length} direct dependencies: ${asked} asked of the registry, ${fromCache} from the kept answers, ${unknown} unknown`,
    })
    return `${deps.length} packages, ${asked} from the registry, ${fromCache} cached, ${unknown} unknown`
  },
})
