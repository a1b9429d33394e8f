// `trivy config` on the rendered manifests (what the cluster would run, patches applied), with
// the embedded checks and no network. A HIGH or CRITICAL finding always fails; a lower one fails
// unless ops/scan/allowlist.yml (make scan's reviewed exceptions, each with its reason) covers it.
import { $, fs, path } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { detail } from '../../lib/step.ts'
import { applyAllowlist, parseAllowlist } from '../scan/allowlist.ts'
import type { Finding } from '../scan/findings.ts'
import { findingsFromTrivy } from '../scan/trivy-report.ts'
import type { TrivyReport } from '../scan/trivy-report.ts'
import { CONFIG_FLAGS } from '../scan/trivy-run.ts'
import type { K8sValidateContext } from './context.ts'

export const FAILING_SEVERITIES: Finding['severity'][] = ['critical', 'high']

const line = (f: Finding): string =>
  `${f.severity.toUpperCase()} ${f.id} ${f.target}: ${f.title}${f.allowlisted ? ` (allowlisted: ${f.allowlisted.reason})` : ''}`

export const trivyConfig = defineStep<K8sValidateContext>({
  name: (c) => `trivy config ${c.trivy?.version ?? ''} on the rendered manifests`,
  changes: false,
  skip: (c) => (c.trivy && c.rendered.length ? false : 'nothing rendered to scan'),
  run: async (c) => {
    const report = path.join(c.outDir, 'trivy', 'config.json')
    await fs.mkdirp(path.dirname(report))
    // Only the rendered files: the report must not mix in anything else in the folder.
    await $({
      quiet: true,
      timeout: '10m',
    })`${c.trivy!.bin} config ${CONFIG_FLAGS} --cache-dir ${path.join(c.outDir, 'trivy', 'cache')} --format json --output ${report} ${c.outDir}`
    const parsed = (await fs.readJson(report)) as TrivyReport
    const scanned = (parsed.Results ?? []).map((r) => r.Target).filter((t) => t.endsWith('.yaml'))
    const { findings } = findingsFromTrivy(parsed, { where: 'k8s', source: 'k8s-config' })
    const entries = (await fs.pathExists(c.allowlistFile))
      ? parseAllowlist(await fs.readFile(c.allowlistFile, 'utf8'), c.allowlistFile)
      : []
    const judged = applyAllowlist(findings, entries, c.today).findings.filter(
      (f) => f.source === 'k8s-config'
    )
    const failing = judged.filter((f) => FAILING_SEVERITIES.includes(f.severity) || !f.allowlisted)
    const accepted = judged.filter((f) => !failing.includes(f))
    // One line per accepted check, not per object: the reason is the same for each.
    const byId = new Map<string, Finding[]>()
    for (const f of accepted) byId.set(f.id, [...(byId.get(f.id) ?? []), f])
    for (const [id, fs] of byId)
      detail(
        `${fs[0]!.severity.toUpperCase()} ${id} ×${fs.length} (allowlisted: ${fs[0]!.allowlisted!.reason})`
      )
    if (failing.length)
      throw new StopError(
        `trivy config: ${failing.length} finding(s):\n    ${failing.map(line).join('\n    ')}`,
        'fix the manifests in deploy/kubernetes (HIGH and CRITICAL are never accepted; a lower one may be, with a reason, in ops/scan/allowlist.yml)'
      )
    return `${scanned.length} files, no HIGH or CRITICAL finding; ${accepted.length} lower ones allowlisted`
  },
})
