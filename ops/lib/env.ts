// The operator's environment, one schema for every ops script (STYLE 4): compose/.env (or the
// file SCRIBE_ENV_FILE names) with the process environment on top, parsed once at the start of a
// script. A bad value stops the script with one line naming the setting and the file.
import { homedir } from 'node:os'
import { fs, path } from 'zx'
import { z } from 'zod'
import { ENV_FILE } from './compose.ts'
import { parseEnvFile } from './env-file.ts'
import { StopError } from './errors.ts'
import { fromRoot } from './paths.ts'

const projectName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _')
const port = z.coerce.number().int().min(1).max(65535)

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
    const issue = parsed.error.issues[0]
    throw new StopError(
      `bad setting ${issue?.path.join('.')}: ${issue?.message}`,
      `fix it in ${envFile} or the environment`
    )
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
