// The scan's first steps: a trusted trivy (found or built) and the vulnerability database, if
// the operator provided one (it cannot be downloaded on these machines).
import { fs, path } from 'zx'
import { defineStep } from '../../lib/pipeline.ts'
import { does } from './context.ts'
import type { ScanContext } from './context.ts'
import { ensureTrivy } from './trivy.ts'

export const trivyTool = defineStep<ScanContext>({
  name: 'trivy',
  // Building it writes to the tools cache only; a dry run still shows which trivy is used.
  changes: false,
  skip: (c) =>
    (['images', 'repo', 'history'] as const).some((p) => does(c, p))
      ? false
      : 'no part of this run uses it',
  run: async (c) => {
    c.trivy = await ensureTrivy({ trivyBin: c.env.TRIVY_BIN, toolsDir: c.env.TOOLS_CACHE_DIR })
    return `trivy ${c.trivy.version} (${c.trivy.origin}: ${c.trivy.bin})`
  },
})

/** Trivy's layout: `<cache>/db/trivy.db` with its `metadata.json`. */
export async function vulnDbIn(dir: string | undefined): Promise<string | undefined> {
  if (!dir) return undefined
  const db = path.join(dir, 'db')
  const ok =
    (await fs.pathExists(path.join(db, 'trivy.db'))) &&
    (await fs.pathExists(path.join(db, 'metadata.json')))
  return ok ? dir : undefined
}

export const vulnDatabase = defineStep<ScanContext>({
  name: 'vulnerability database',
  changes: false,
  skip: (c) => (does(c, 'images') || does(c, 'repo') ? false : 'no part of this run uses it'),
  run: async (c) => {
    c.vulnDbDir = await vulnDbIn(c.env.TRIVY_CACHE_DIR)
    if (c.vulnDbDir) {
      const meta = (await fs.readJson(path.join(c.vulnDbDir, 'db', 'metadata.json'))) as {
        UpdatedAt?: string
      }
      c.checked.push({ part: 'vulnerabilities', what: `database in ${c.vulnDbDir}` })
      return `using ${c.vulnDbDir} (updated ${meta.UpdatedAt ?? 'unknown'})`
    }
    const why = c.env.TRIVY_CACHE_DIR
      ? `TRIVY_CACHE_DIR=${c.env.TRIVY_CACHE_DIR} holds no db/trivy.db`
      : 'TRIVY_CACHE_DIR is not set'
    c.warnings.push(
      `Vulnerabilities were NOT checked: no vulnerability database (${why}). See RUNBOOK.md#security-scanning.`
    )
    if (c.requireVulns)
      c.findings.push({
        id: 'scan.vulnerabilities-not-checked',
        target: 'trivy database',
        source: 'scan',
        severity: 'high',
        title: `--require-vulns, and no vulnerability database (${why})`,
        fix: 'run `trivy image --download-db-only --cache-dir DIR` where the internet is reachable, copy DIR here, set TRIVY_CACHE_DIR=DIR',
      })
    return `none: vulnerabilities not checked (${why})`
  },
})
