// Pure decisions of a release: its version name, the rollback target, which images to keep,
// and the plan a dry run prints. No I/O here, so the unit tests cover every branch.
import type { HistoryEntry } from './history.ts'

/** A release is named after the commit: short sha, `-dirty` when built from local changes. */
export function versionFromGit(sha: string, dirty: boolean): string {
  const short = sha.trim().slice(0, 12)
  if (!/^[0-9a-f]{7,12}$/.test(short)) throw new Error(`not a git commit: ${sha}`)
  return dirty ? `${short}-dirty` : short
}

export const TAG_PATTERN = /^[\w][\w.-]{0,127}$/

/**
 * The version `make rollback` goes to without VERSION: the one that was live before the
 * current version was deployed (so repeated rollbacks walk back, they do not toggle). Falls
 * back to the newest other version that ever went live.
 */
export function previousVersion(history: HistoryEntry[], current: string): string | undefined {
  const deployOfCurrent = history.findLast(
    (e) => e.kind === 'deploy' && e.result === 'ok' && e.version === current
  )
  if (deployOfCurrent?.previous && deployOfCurrent.previous !== current)
    return deployOfCurrent.previous
  return liveVersions(history).find((v) => v !== current)
}

/** Versions that went live, newest first, each once (a failed run's previous stayed live). */
export function liveVersions(history: HistoryEntry[]): string[] {
  const seen: string[] = []
  for (const e of [...history].reverse()) {
    const live = e.result === 'ok' ? [e.version, e.previous] : [e.previous]
    for (const v of live) if (v && !seen.includes(v)) seen.push(v)
  }
  return seen
}

/**
 * The release images to remove so that `keep` releases stay on the target (the live one
 * included). Only versions this history put live are candidates: other tags on the engine
 * (`local`, someone's experiment) are never touched.
 */
export function releasesToPrune(history: HistoryEntry[], live: string, keep: number): string[] {
  const ordered = [live, ...liveVersions(history).filter((v) => v !== live)]
  const deployed = new Set(history.filter((e) => e.result === 'ok').map((e) => e.version))
  return ordered.slice(Math.max(1, keep)).filter((v) => deployed.has(v))
}

export type PlanInput = {
  kind: 'deploy' | 'rollback'
  version: string
  current: string
  build: boolean
  transfer: 'never' | 'if-missing' | 'always'
  remote: boolean
  healthTimeoutS: number
  watchS: number
  maxErrorRate: number
  keep: number
}

/** The steps a run takes, as the dry run prints them. */
export function buildPlan(p: PlanInput): string[] {
  const steps = [
    'preflight: compose config and secrets, engine, free disk, deploy lock, smoke account',
  ]
  if (p.build) steps.push(`build medic-scribe/api:${p.version} from the git tree`)
  if (p.transfer === 'always' || (p.remote && p.transfer !== 'never'))
    steps.push(`send medic-scribe/api:${p.version} to the target (docker save | docker load)`)
  steps.push(
    `pin the edge to the live api (${p.current})`,
    `start api ${p.version} next to it; it runs pending migrations (expand-only) under the advisory lock`,
    `wait up to ${p.healthTimeoutS} s for it to be healthy`,
    `switch the edge to ${p.version} (nginx -s reload, graceful)`,
    `smoke check through the edge (sign in, list notes, read one) and watch ${p.watchS} s: more than ${(p.maxErrorRate * 100).toFixed(1)}% 5xx goes back to ${p.current}`,
    `drain and stop ${p.current} (in-flight requests, jobs handed back, sockets told to reconnect)`,
    `record the ${p.kind} in the history on the target, set API_TAG=${p.version} in the env file`,
    `keep the last ${p.keep} releases' images, remove older ones`
  )
  return steps
}
