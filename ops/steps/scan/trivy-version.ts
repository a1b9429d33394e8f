// Which Trivy releases the scan accepts. Pure, so the rules are unit-tested.

/** The release `make trivy` builds from the Go module proxy. */
export const TRIVY_VERSION = '0.74.0'

/**
 * The March 2026 compromise: 0.69.4 was a malicious binary release, 0.69.5 and 0.69.6 malicious
 * images. Refused by name wherever they are found (0.69.3 was the last clean one before it).
 */
export const REFUSED_TRIVY_VERSIONS = ['0.69.4', '0.69.5', '0.69.6'] as const

/** The oldest release that has every flag the scan passes (`--disable-telemetry` among them). */
export const MIN_TRIVY_VERSION = '0.64.0'

export type TrivyVerdict =
  | { ok: true; version: string }
  | { ok: false; version: string | undefined; refused: boolean; why: string }

/** The version `trivy --version` prints (`Version: 0.74.0`), or undefined. */
export function parseTrivyVersion(output: string): string | undefined {
  return output.match(/^Version:\s*v?(\S+)/m)?.[1]
}

const parts = (v: string): number[] | undefined => {
  const m = v.match(/^(\d+)\.(\d+)\.(\d+)$/)
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined
}

function atLeast(v: number[], min: number[]): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i]! > min[i]!
  return true
}

/** Whether a `trivy --version` output names a release the scan may run. */
export function judgeTrivyVersion(output: string): TrivyVerdict {
  const version = parseTrivyVersion(output)
  if (version && (REFUSED_TRIVY_VERSIONS as readonly string[]).includes(version))
    return {
      ok: false,
      version,
      refused: true,
      why: `trivy ${version} is a compromised release (March 2026, versions ${REFUSED_TRIVY_VERSIONS.join(', ')})`,
    }
  const v = version ? parts(version) : undefined
  if (!version || !v)
    return { ok: false, version, refused: false, why: `no release version (${version ?? 'none'})` }
  if (!atLeast(v, parts(MIN_TRIVY_VERSION)!))
    return { ok: false, version, refused: false, why: `older than ${MIN_TRIVY_VERSION}` }
  return { ok: true, version }
}
