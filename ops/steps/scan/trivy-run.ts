// Runs trivy the one way the scan does: offline, quiet, JSON out, with a time limit.
import { $, fs, path } from 'zx'
import { fromRoot } from '../../lib/paths.ts'
import type { ScanContext } from './context.ts'
import type { TrivyReport } from './trivy-report.ts'

/** Never reach the network: no DB, checks or version download, no telemetry. */
export const OFFLINE_FLAGS = [
  '--skip-db-update',
  '--skip-java-db-update',
  '--skip-check-update',
  '--skip-version-check',
  '--disable-telemetry',
  '--offline-scan',
  '--quiet',
]
/** `trivy config` has no database, so no DB flags (it refuses unknown ones). */
export const CONFIG_FLAGS = OFFLINE_FLAGS.filter(
  (f) => !['--skip-db-update', '--skip-java-db-update', '--offline-scan'].includes(f)
)

/** Where trivy keeps its analysis cache: the operator's (with the DB), else our own. */
export const trivyCacheDir = (c: ScanContext): string =>
  c.vulnDbDir ?? fromRoot('build', 'scan', 'trivy-cache')

/** What the repository scans leave out: dependencies, build output, local secrets by design. */
export const REPO_SKIP_DIRS = [
  'node_modules',
  '.git',
  'build',
  'scan-results',
  'data',
  'backups',
  'coverage',
  'test-results',
  'compose/certs',
  'api/dist',
  'web/dist',
  'tests/.artifacts',
]
export const REPO_SKIP_FILES = ['compose/.env']

/** `trivy <args> --format json --output <file>`; the parsed report. */
export async function trivyJson(
  c: ScanContext,
  args: string[],
  file: string,
  timeout: `${number}m` = '15m'
): Promise<TrivyReport> {
  await fs.mkdirp(path.dirname(file))
  await $({
    quiet: true,
    timeout,
  })`${c.trivy!.bin} ${args} ${args[0] === 'config' ? CONFIG_FLAGS : OFFLINE_FLAGS} --cache-dir ${trivyCacheDir(c)} --format json --output ${file}`
  return (await fs.readJson(file)) as TrivyReport
}

/** `trivy convert` of a JSON report (with --list-all-pkgs) into a CycloneDX SBOM. */
export async function trivyCycloneDx(c: ScanContext, report: string, out: string): Promise<void> {
  await fs.mkdirp(path.dirname(out))
  await $({
    quiet: true,
    timeout: '5m',
  })`${c.trivy!.bin} convert --format cyclonedx --output ${out} ${report}`
}

/** `trivy <args> --format cyclonedx`: an SBOM straight from the analysis (no scanners). */
export async function trivySbom(c: ScanContext, args: string[], out: string): Promise<void> {
  await fs.mkdirp(path.dirname(out))
  await $({
    quiet: true,
    timeout: '10m',
  })`${c.trivy!.bin} ${args} ${OFFLINE_FLAGS} --cache-dir ${trivyCacheDir(c)} --format cyclonedx --output ${out}`
}
