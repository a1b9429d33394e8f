// Renders the monitor's configuration into one folder that compose mounts read-only on
// /etc/monitor: prometheus.yml, rules.yml, blackbox.yml, alertmanager.yml (and the local CA).
import { fs, path } from 'zx'
import { stringify } from 'yaml'
import type { StackMode } from '../compose.ts'
import { CERTS_DIR } from '../compose.ts'
import type { OpsEnv } from '../env.ts'
import { localCertPaths } from '../local-ca.ts'
import { fromRoot } from '../paths.ts'
import { alertmanagerConfig } from './alertmanager-config.ts'
import { CA_FILE, blackboxConfig, prometheusConfig } from './prometheus-config.ts'
import { alertRules, rulesFile } from './rules.ts'
import { DEFAULT_THRESHOLDS } from './thresholds.ts'
import type { Thresholds } from './thresholds.ts'

/** build/monitor/<project>: generated, never edited by hand. */
export const monitorConfigDir = (project: string): string => fromRoot('build', 'monitor', project)

/** The production thresholds with the operator's scrape interval. */
export function thresholdsFor(env: OpsEnv): Thresholds {
  return {
    ...DEFAULT_THRESHOLDS,
    scrapeInterval: env.PROMETHEUS_SCRAPE_INTERVAL,
    evaluationInterval: env.PROMETHEUS_SCRAPE_INTERVAL,
  }
}

export type MonitorFiles = Record<string, string>

/** The files' contents, for `make up` and for the unit tests' promtool and amtool checks. */
export function monitorFiles(env: OpsEnv, mode: StackMode, t: Thresholds = thresholdsFor(env)) {
  const rules = alertRules(t, { certShortLived: env.CERT_SHORT_LIVED })
  const header =
    '# Rendered by ops/lib/monitor (from ops/lib/monitor/thresholds.ts and compose/.env): do not edit.\n'
  const yaml = (o: unknown) => header + stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })
  return {
    'prometheus.yml': yaml(prometheusConfig(t)),
    'rules.yml': yaml(rulesFile(rules, env.ALERT_RUNBOOK_URL)),
    'blackbox.yml': yaml(
      blackboxConfig(t, { serverName: env.SERVER_NAME, localCa: mode === 'local' })
    ),
    'alertmanager.yml': yaml(alertmanagerConfig(t, env, rules)),
  } satisfies MonitorFiles
}

/** Files holding secrets (the receivers' webhook URLs, the SMTP password). */
export const SECRET_FILES = ['alertmanager.yml'] as const
/** The monitor images' fixed user (compose/images/alertmanager/Dockerfile). */
export const MONITOR_UID = 990

/**
 * Writes the files into `dir` (each by a rename, so a reload never reads half a file). Mode
 * 644 for the rest, which the monitor's user in its containers must read. The secret files are
 * 600: as root (how `make up` runs here) they are given to the containers' user, uid 990;
 * otherwise they stay the operator's, and `ownSecretFiles` (prepare.ts) hands them over.
 */
export async function writeMonitorConfig(
  dir: string,
  files: MonitorFiles,
  mode: StackMode
): Promise<string[]> {
  await fs.mkdirp(dir)
  await fs.chmod(dir, 0o755)
  const all: MonitorFiles = { ...files }
  if (mode === 'local') all[CA_FILE] = await fs.readFile(localCertPaths(CERTS_DIR).caCert, 'utf8')
  const root = process.getuid?.() === 0
  for (const [name, text] of Object.entries(all)) {
    const file = path.join(dir, name)
    const secret = (SECRET_FILES as readonly string[]).includes(name)
    const fileMode = secret ? 0o600 : 0o644
    // Unlinked first: a leftover temp file keeps its old owner and mode through writeFile.
    await fs.rm(`${file}.tmp`, { force: true })
    await fs.writeFile(`${file}.tmp`, text, { mode: fileMode })
    await fs.chmod(`${file}.tmp`, fileMode)
    if (secret && root) await fs.chown(`${file}.tmp`, MONITOR_UID, MONITOR_UID)
    await fs.rename(`${file}.tmp`, file)
  }
  return Object.keys(all)
}
