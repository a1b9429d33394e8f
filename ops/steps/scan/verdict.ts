// The last steps: the allowlist applied, the report written in its three forms, and the
// verdict (a stop, hence exit 1, on any finding no live allowlist entry covers).
import { echo, fs, path } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { IMAGE_NAMES } from '../../lib/images.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { applyAllowlist, parseAllowlist } from './allowlist.ts'
import type { AllowlistEntry } from './allowlist.ts'
import { SCAN_PARTS } from './context.ts'
import type { ScanContext } from './context.ts'
import { blocking } from './findings.ts'
import { renderHtml, renderTerminal } from './report.ts'
import type { ScanReport } from './report.ts'

type VerdictContext = ScanContext & {
  startedAt: number
  allowlist?: { entries: AllowlistEntry[]; unused: AllowlistEntry[] }
  report?: ScanReport
}

export const allowlist = defineStep<VerdictContext>({
  name: 'allowlist',
  changes: false,
  run: async (c) => {
    const entries = (await fs.pathExists(c.allowlistFile))
      ? parseAllowlist(await fs.readFile(c.allowlistFile, 'utf8'), c.allowlistFile)
      : []
    const applied = applyAllowlist(c.findings, entries, c.today)
    c.findings = applied.findings
    c.allowlist = { entries, unused: applied.unused }
    // A narrowed run leaves most entries nothing to match: only a whole scan says so.
    const whole = c.parts.length === SCAN_PARTS.length && c.imageNames.length === IMAGE_NAMES.length
    if (applied.unused.length && whole)
      c.warnings.push(
        `allowlist entries that matched nothing (remove them?): ${applied.unused.map((e) => e.id).join(', ')}`
      )
    return `${entries.length} entries, ${c.findings.filter((f) => f.allowlisted).length} findings covered`
  },
})

export const writeReport = defineStep<VerdictContext>({
  name: (c) => `report (${path.relative(process.cwd(), c.outDir) || '.'}/report.{json,html})`,
  changes: false,
  run: async (c) => {
    const report: ScanReport = {
      startedAt: new Date(Date.now() - (performance.now() - c.startedAt)).toISOString(),
      seconds: (performance.now() - c.startedAt) / 1000,
      trivy: c.trivy ? `${c.trivy.version} (${c.trivy.origin})` : 'none',
      passed: blocking(c.findings).length === 0,
      findings: c.findings,
      warnings: c.warnings,
      checked: c.checked,
      images: c.images,
      sboms: c.sboms,
      runtimes: c.runtimes,
      probe: c.probeResult && {
        base: c.probeResult.base,
        routes: c.probeResult.routes,
        calls: c.probeResult.calls,
      },
      tls: c.tlsResult,
      parts: c.parts,
      allowlist: c.allowlist ?? { entries: [], unused: [] },
    }
    c.report = report
    await fs.mkdirp(c.outDir)
    await fs.outputJson(path.join(c.outDir, 'report.json'), report, { spaces: 2 })
    await fs.outputFile(path.join(c.outDir, 'report.html'), renderHtml(report))
    echo(renderTerminal(report))
  },
})

export const verdict = defineStep<VerdictContext>({
  name: 'verdict',
  changes: false,
  run: async (c) => {
    const failing = blocking(c.findings)
    if (failing.length) {
      const ids = [...new Set(failing.map((f) => f.id))]
      throw new StopError(
        `${failing.length} findings not on the allowlist: ${ids.join(', ')}`,
        `see ${path.join(c.outDir, 'report.html')}; fix them, or add reviewed entries (id, reason, expires) to ${path.relative(process.cwd(), c.allowlistFile)}`
      )
    }
    return `${c.findings.length} findings, all allowlisted`
  },
})

export const cleanupWork = defineStep<ScanContext>({
  name: 'remove the image tarballs',
  changes: true,
  run: async (c) => {
    await fs.remove(c.work)
  },
})

export type { VerdictContext }
