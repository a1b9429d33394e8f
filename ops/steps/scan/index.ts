// make scan, as a pipeline: a trusted trivy and the vulnerability database first, then the
// images, the repository and its history, our hardening rules on the compose files and the
// running containers, the runtimes, the API probe, the edge's TLS grade, and the verdict against
// the allowlist. Every part can be left out (--only, --no-probe, --no-tls); the report says so.
import { fs, path } from 'zx'
import { runPipeline } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import { IMAGE_NAMES } from '../../lib/images.ts'
import { SCAN_BUILD_DIR, SCAN_PARTS, createScanContext } from './context.ts'
import type { ScanOptions } from './context.ts'
import { composeHardening, containerHardening } from './hardening.ts'
import { scanImages } from './images.ts'
import { apiProbe } from './probe.ts'
import { scanGitHistory, scanRepository } from './repository.ts'
import type { ScanReport } from './report.ts'
import { npmDeprecations, nodeRuntimes } from './runtimes.ts'
import { tlsCheck } from './tls.ts'
import { trivyTool, vulnDatabase } from './tools.ts'
import { allowlist, cleanupWork, verdict, writeReport } from './verdict.ts'
import type { VerdictContext } from './verdict.ts'

type Ctx = VerdictContext & { url?: string | undefined }

export const scanPipeline: Pipeline<Ctx> = {
  name: 'scan',
  lock: (c) => ({ file: path.join(c.workDir ?? SCAN_BUILD_DIR, 'scan.lock'), holder: 'scan' }),
  steps: [
    trivyTool,
    vulnDatabase,
    scanImages,
    scanRepository,
    scanGitHistory,
    composeHardening,
    containerHardening,
    nodeRuntimes,
    npmDeprecations,
    apiProbe,
    tlsCheck,
    allowlist,
    writeReport,
    verdict,
  ],
  always: [cleanupWork],
}

/** One scan; the report (also when it fails, as long as the report was written). */
export async function runScan(
  o: ScanOptions & { url?: string | undefined }
): Promise<ScanReport | undefined> {
  const ctx: Ctx = { ...createScanContext(o), url: o.url, startedAt: performance.now() }
  const left = SCAN_PARTS.filter((p) => !o.parts.includes(p))
  const narrowed = o.imageNames.length < IMAGE_NAMES.length
  if (left.length || narrowed)
    ctx.warnings.push(
      `A partial scan: ${[
        left.length ? `not checked: ${left.join(', ')}` : '',
        narrowed && o.parts.includes('images') ? `images: only ${o.imageNames.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ')}. A pass covers only what was checked.`
    )
  // Last run's SBOMs and report go: what is in the folder is this run's answer.
  if (!o.dryRun) await fs.emptyDir(o.outDir)
  await runPipeline(scanPipeline, ctx)
  return ctx.report
}
