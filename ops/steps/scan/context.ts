// What one scan run knows: its settings, and what each step found, for the report.
import { createContext } from '../../lib/context.ts'
import type { OpsContext } from '../../lib/context.ts'
import type { StackMode } from '../../lib/compose.ts'
import type { OpsEnv } from '../../lib/env.ts'
import { fromRoot } from '../../lib/paths.ts'
import type { ProbeResult } from './api-probe.ts'
import type { Finding } from './findings.ts'
import type { TrivyTool } from './trivy.ts'

export const RESULTS_DIR = fromRoot('scan-results')
export const DEFAULT_ALLOWLIST = fromRoot('ops', 'scan', 'allowlist.yml')

export type ScanOptions = {
  env: OpsEnv
  project: string
  tag: string
  modes: StackMode[]
  /** Fail when no vulnerability database is present. */
  requireVulns: boolean
  /** Call the API through the running stack's edge. */
  probe: boolean
  /** Do not ask the npm registry; use only the answers kept from earlier runs. */
  npmOffline: boolean
  /** Images to scan besides the stack's (and instead of none). */
  extraImages: string[]
  /** A compose file merged on top of each mode's files for the hardening rules. */
  composeOverride?: string | undefined
  allowlistFile: string
  outDir: string
  dryRun: boolean
  /** YYYY-MM-DD (UTC): expiries and end-of-life dates are judged against it. */
  today: string
}

export type ImageSummary = {
  ref: string
  bytes: number
  sbomFile: string
  components: number
  secrets: number
  misconfigurations: number
  vulnerabilities: number | 'not checked'
}

export type ScanContext = OpsContext &
  ScanOptions & {
    /** Docker save tarballs and other scratch files, removed at the end. */
    work: string
    trivy?: TrivyTool
    /** Trivy's cache dir when it holds a vulnerability database. */
    vulnDbDir?: string
    findings: Finding[]
    /** Things the reader must know that are not findings (what was not checked, and why). */
    warnings: string[]
    /** One line per part of the scan: what was looked at. */
    checked: { part: string; what: string }[]
    images: ImageSummary[]
    sboms: { name: string; file: string; components: number }[]
    probeResult?: ProbeResult & { base: string; routes: number }
    runtimes: { image: string; node: string; eol: string; state: string }[]
  }

export function createScanContext(o: ScanOptions): ScanContext {
  return {
    ...createContext({ dryRun: o.dryRun }),
    ...o,
    work: fromRoot('build', 'scan', 'work'),
    findings: [],
    warnings: [],
    checked: [],
    images: [],
    sboms: [],
    runtimes: [],
  }
}
