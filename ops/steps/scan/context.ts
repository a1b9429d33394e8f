// What one scan run knows: its settings, and what each step found, for the report.
import { path } from 'zx'
import { createContext } from '../../lib/context.ts'
import type { OpsContext } from '../../lib/context.ts'
import type { StackMode } from '../../lib/compose.ts'
import type { OpsEnv } from '../../lib/env.ts'
import type { ImageName } from '../../lib/images.ts'
import { fromRoot } from '../../lib/paths.ts'
import type { TlsReport } from '../../lib/testssl.ts'
import type { ProbeResult, ProbeTarget } from './api-probe.ts'
import type { Finding } from './findings.ts'
import type { TrivyTool } from './trivy.ts'

export const RESULTS_DIR = fromRoot('scan-results')
export const SCAN_BUILD_DIR = fromRoot('build', 'scan')
export const DEFAULT_ALLOWLIST = fromRoot('ops', 'scan', 'allowlist.yml')

/** The parts of a scan, in the order they run; `--only` picks some, `--no-probe` drops one. */
export const SCAN_PARTS = [
  'images',
  'repo',
  'history',
  'compose',
  'containers',
  'runtimes',
  'npm',
  'probe',
  'tls',
] as const
export type ScanPart = (typeof SCAN_PARTS)[number]

/** The TLS part: testssl.sh against the edge, or a result kept from `make tls-grade --json`. */
export type TlsOptions = {
  /** A testssl.sh JSON file to read instead of running testssl.sh. */
  json?: string | undefined
  /** The worst grade that passes (SSL Labs' order: A+ best). */
  minGrade: string
  /** The name the certificate is checked against (SERVER_NAME). */
  name: string
  /** A CA file trusted for the chain check (the local CA in local mode), or none. */
  ca?: string | undefined
}

export type ScanOptions = {
  env: OpsEnv
  project: string
  tag: string
  modes: StackMode[]
  /** Fail when no vulnerability database is present. */
  requireVulns: boolean
  /** The parts this run does (all of SCAN_PARTS but for a narrowed run). */
  parts: ScanPart[]
  /** The stack images scanned (all of IMAGE_NAMES unless narrowed with --images). */
  imageNames: ImageName[]
  /** The repository whose files and git history are scanned (the checkout by default). */
  repoDir: string
  /** What the API probe calls: the stack's edge unless given (a test's own app). */
  probeTarget?: ((c: ScanContext) => Promise<ProbeTarget>) | undefined
  tls: TlsOptions
  /** Do not ask the npm registry; use only the answers kept from earlier runs. */
  npmOffline: boolean
  /** Images to scan besides the stack's (and instead of none). */
  extraImages: string[]
  /** A compose file merged on top of each mode's files for the hardening rules. */
  composeOverride?: string | undefined
  allowlistFile: string
  outDir: string
  /** Scratch files and the lock (build/scan/ by default; a test's own folder in tests). */
  workDir?: string | undefined
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
    tlsResult?: TlsResult
    runtimes: { image: string; node: string; eol: string; state: string }[]
  }

/** What the report says about the edge's TLS. */
export type TlsResult = Omit<TlsReport, 'entries'> & {
  target: string
  /** `testssl.sh 3.2 run now` or the file read. */
  source: string
  minGrade: string
  /** The chain was checked against this CA (not a public root). */
  ca?: string | undefined
}

/** Whether this run does a part. */
export const does = (c: Pick<ScanOptions, 'parts'>, part: ScanPart): boolean =>
  c.parts.includes(part)

/** A step's skip: left out when its part is not in this run. */
export const unlessPart =
  (part: ScanPart) =>
  (c: Pick<ScanOptions, 'parts'>): string | false =>
    does(c, part)
      ? false
      : `not in this run (--only ${SCAN_PARTS.filter((p) => does(c, p)).join(',')})`

export function createScanContext(o: ScanOptions): ScanContext {
  return {
    ...createContext({ dryRun: o.dryRun }),
    ...o,
    work: path.join(o.workDir ?? SCAN_BUILD_DIR, 'work'),
    findings: [],
    warnings: [],
    checked: [],
    images: [],
    sboms: [],
    runtimes: [],
  }
}
