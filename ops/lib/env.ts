// The operator's environment, one schema for every ops script (STYLE 4): compose/.env (or the
// file SCRIBE_ENV_FILE names) with the process environment on top, parsed once at the start of a
// script. A bad value stops the script with one line naming the setting and the file.
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { fs, path } from 'zx'
import { z } from 'zod'
import { ENV_FILE } from './compose.ts'
import { parseEnvFile } from './env-file.ts'
import { StopError } from './errors.ts'
import { fromRoot } from './paths.ts'
import { GRADE_ORDER } from './testssl.ts'

export const projectName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _')
const port = z.coerce.number().int().min(1).max(65535)
/** A Prometheus duration as the configs take it: 15s, 5m, 4h, 15d. */
const duration = z.string().regex(/^\d+(ms|s|m|h|d|w|y)$/, 'a duration such as 15s, 5m, 4h or 15d')
const flag = z.enum(['true', 'false']).transform((v) => v === 'true')
// A DNS name a public CA can issue for: labels of letters, digits and hyphens.
const dnsName = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i,
    'not a DNS name'
  )
const nameList = z
  .string()
  .transform((s) => s.split(/[\s,]+/).filter(Boolean))
  .pipe(z.array(dnsName))

export const OpsEnvSchema = z.object({
  // The stack
  COMPOSE_PROJECT_NAME: projectName.default('medic-scribe'),
  STACK_MODE: z.enum(['local', 'prod']).default('local'),
  SCRIBE_TAG: z.string().min(1).default('local'),
  SERVER_NAME: z.string().min(1).default('localhost'),
  HTTP_PORT: port.optional(),
  HTTPS_PORT: port.optional(),
  POSTGRES_PASSWORD: z.string().optional(),
  FIRST_USER_EMAIL: z.email().default('clinician@example.org'),
  JWT_SECRET: z.string().min(32).optional(),
  // Docker Swarm (make swarm-deploy, RUNBOOK.md#docker-swarm); the engine is the docker CLI's
  // own (DOCKER_HOST or the current context), which must be a Swarm manager.
  SWARM_STACK: projectName.default('medic-scribe'),
  SWARM_API_REPLICAS: z.coerce.number().int().min(1).max(50).default(2),
  SWARM_STT_REPLICAS: z.coerce.number().int().min(1).max(50).default(1),
  /** A registry every node pulls from (host:port); unset: one is run on the manager. */
  SWARM_REGISTRY: z
    .string()
    .regex(/^[\w.-]+(:\d+)?$/, 'host:port')
    .optional(),
  /** The node (hostname) that holds Postgres' volume, and the object store's; default the manager. */
  SWARM_POSTGRES_NODE: z.string().min(1).optional(),
  SWARM_OBJECTS_NODE: z.string().min(1).optional(),
  /** Extra compose overlays in compose/ (comma-separated) merged before the stack file is made. */
  SWARM_COMPOSE_FILES: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    )
    .default([]),
  /** Services left out of the stack (e.g. `stt` when a hosted provider transcribes). */
  SWARM_WITHOUT: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    )
    .default([]),
  // The Swarm stack's files go to the S3 settings below (Object storage); with no S3_ENDPOINT
  // the stack runs a SeaweedFS service of its own.
  OPENAI_API_KEY: z.string().min(1).optional(),
  DEEPGRAM_API_KEY: z.string().min(1).optional(),
  /** How long a deploy or rollback waits for every service to converge. */
  SWARM_CONVERGE_SECONDS: z.coerce.number().int().min(10).default(300),
  // Backups
  RESTIC_REPOSITORY: z.string().min(1).default(fromRoot('backups')),
  RESTIC_PASSWORD_FILE: z
    .string()
    .min(1)
    .default(path.join(homedir(), '.config', 'medic-scribe', 'restic-password')),
  KEEP_DAILY: z.coerce.number().int().min(0).default(7),
  KEEP_WEEKLY: z.coerce.number().int().min(0).default(4),
  KEEP_MONTHLY: z.coerce.number().int().min(0).default(12),
  // restic 0.14 reads no environment variable for its ssh command (sftp.args came in 0.16):
  // e.g. `ssh -F /etc/medic-scribe/ssh_config backup-host -s sftp`, passed as -o sftp.command.
  RESTIC_SFTP_COMMAND: z.string().min(1).optional(),
  // Object storage (STORAGE=s3, as the API reads them from this file): make backup mirrors the
  // bucket's referenced objects and make restore puts them back (RUNBOOK.md#object-storage).
  STORAGE: z.enum(['disk', 's3']).default('disk'),
  S3_ENDPOINT: z.url().optional(),
  /** The endpoint as this machine reaches it, when the API's (a compose service name) differs. */
  S3_BACKUP_ENDPOINT: z.url().optional(),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_PREFIX: z.string().default(''),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  // Monitoring (compose/compose.monitor.yml, RUNBOOK.md#monitoring-and-alerts)
  /** Where ops scripts write textfile metrics (backup heartbeat...) for the node exporter. */
  METRICS_TEXTFILE_DIR: z.string().min(1).default(fromRoot('build', 'metrics')),
  /** Start the monitor with the stack; unset: on in prod mode, off in local mode. */
  MONITOR_ENABLED: flag.optional(),
  PROMETHEUS_RETENTION: duration.default('15d'),
  PROMETHEUS_SCRAPE_INTERVAL: duration.default('15s'),
  /** The UIs, on 127.0.0.1 only (reach them from elsewhere through an ssh tunnel). */
  PROMETHEUS_PORT: port.default(9090),
  ALERTMANAGER_PORT: port.default(9093),
  /** How often a still-firing alert is sent again. */
  ALERT_REPEAT_INTERVAL: duration.default('4h'),
  // Receivers: each one is used when its settings are there.
  /** A generic JSON webhook (Alertmanager's webhook format). */
  ALERT_WEBHOOK_URL: z.url().optional(),
  /** A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat...). */
  ALERT_SLACK_WEBHOOK_URL: z.url().optional(),
  ALERT_SLACK_CHANNEL: z.string().min(1).optional(),
  /** Email: ALERT_EMAIL_TO through SMTP_SMARTHOST (host:port). */
  ALERT_EMAIL_TO: z.string().min(3).optional(),
  SMTP_SMARTHOST: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'host:port')
    .optional(),
  SMTP_FROM: z.string().min(3).optional(),
  SMTP_USERNAME: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  SMTP_REQUIRE_TLS: flag.default(true),
  /** Where the alerts' runbook links point (a URL of this repository's RUNBOOK.md). */
  ALERT_RUNBOOK_URL: z.string().min(1).default('RUNBOOK.md'),
  /** The edge's certificate is a short-lived one (6 days): no 14-day warning, only < 3 days. */
  CERT_SHORT_LIVED: flag.default(false),
  /** The dead man's switch: a URL that expects the always-firing Watchdog alert every few minutes. */
  ALERT_WATCHDOG_URL: z.url().optional(),
  // Certificates (make certs / make renew-certs). Without ACME_SERVER: Let's Encrypt's staging
  // directory, or its production one with --production.
  ACME_SERVER: z.url({ protocol: /^https$/, error: 'an https:// ACME directory URL' }).optional(),
  ACME_EMAIL: z.email({ error: 'an e-mail address for the CA to write to' }).optional(),
  // A profile the CA offers (Let's Encrypt: classic, tlsserver, shortlived); certbot >= 4.0.
  ACME_PROFILE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/i, 'a profile name such as tlsserver or shortlived')
    .optional(),
  // PEM bundle trusted for the ACME server's own TLS (a private CA such as pebble or step-ca).
  ACME_CA_BUNDLE: z
    .string()
    .refine((f) => existsSync(f), 'no such file (a PEM bundle for the ACME server)')
    .optional(),
  CERT_EXTRA_NAMES: nameList.default([]),
  // Security scanning (make scan)
  // Where built tools are cached (Trivy under trivy-v<version>/).
  TOOLS_CACHE_DIR: z
    .string()
    .min(1)
    .default(path.join(homedir(), '.cache', 'medic-scribe', 'tools')),
  // An operator's own trivy (else the one on PATH, else the one make trivy builds).
  TRIVY_BIN: z.string().min(1).optional(),
  // Trivy's cache with a vulnerability database in db/ (trivy --download-db-only elsewhere,
  // copied in); without one vulnerabilities are not checked and the report says so.
  TRIVY_CACHE_DIR: z.string().min(1).optional(),
  // The worst testssl.sh grade of the edge make scan accepts (A+ is what the edge is built for).
  SCAN_MIN_TLS_GRADE: z.enum(GRADE_ORDER).default('A+'),
})
export type OpsEnv = z.infer<typeof OpsEnvSchema> & {
  /** The file the settings were read from (it may not exist yet). */
  envFile: string
  /** Every variable as read (file, then process), for what passes settings through by prefix. */
  raw: Record<string, string>
}

/** Parses raw settings; empty values count as unset, so `KEY=` in the file means the default. */
export function parseOpsEnv(raw: Record<string, string | undefined>, envFile: string): OpsEnv {
  const set = Object.fromEntries(
    Object.entries(raw).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
  )
  const parsed = OpsEnvSchema.safeParse(set)
  if (!parsed.success) {
    // One line per bad value, so a file with several mistakes is fixed in one go.
    const lines = parsed.error.issues.map((i) => `bad setting ${i.path.join('.')}: ${i.message}`)
    throw new StopError(lines.join('\n  '), `fix it in ${envFile} or the environment`)
  }
  return { ...parsed.data, envFile, raw: set }
}

/** compose/.env (or SCRIBE_ENV_FILE), then the process environment on top. */
export async function loadOpsEnv(): Promise<OpsEnv> {
  const envFile = process.env.SCRIBE_ENV_FILE || ENV_FILE
  const file = (await fs.pathExists(envFile))
    ? Object.fromEntries(parseEnvFile(await fs.readFile(envFile, 'utf8')))
    : {}
  return parseOpsEnv({ ...file, ...process.env }, envFile)
}

// The process environment itself is read and written here only (eslint holds the rest of ops/
// to it): settings go through loadOpsEnv; what follows passes the environment on to children.

/**
 * The environment for a command started from here: this process's, with `extra` on top (an
 * undefined value removes the variable) and `defaults` under it.
 */
export function childEnv(
  extra: Record<string, string | undefined> = {},
  defaults: Record<string, string> = {}
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...defaults, ...process.env }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return env
}

/** Sets variables for every command this process starts from now on (compose's settings). */
export function exportToChildren(vars: Record<string, string>): void {
  Object.assign(process.env, vars)
}

/** A variable of the process environment read once as a module loads (the default image tag). */
export const processSetting = (name: string): string | undefined => process.env[name] || undefined

/** The docker CLI's own variables, which choose the engine every docker command reaches. */
export function dockerClient(): { host: string | undefined; context: string | undefined } {
  return {
    host: process.env.DOCKER_HOST || undefined,
    context: process.env.DOCKER_CONTEXT || undefined,
  }
}

/** Points this process's docker commands, and its children's, at a context (DOCKER_HOST off). */
export function useDockerContext(context: string): void {
  delete process.env.DOCKER_HOST
  process.env.DOCKER_CONTEXT = context
}
