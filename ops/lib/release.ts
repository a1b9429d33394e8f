// Pure decisions of a release: its version name, the rollback target, which images to keep.
// No I/O here, so the unit tests cover every branch.
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
