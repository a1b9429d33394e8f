import { randomBytes } from 'node:crypto'
import { fs } from 'zx'

/** Reads KEY=VALUE lines (comments and blank lines ignored). */
export function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (m) out.set(m[1]!, m[2]!.replace(/^(['"])(.*)\1$/, '$2'))
  }
  return out
}

const secret = (bytes: number) => randomBytes(bytes).toString('base64url')

/** The secrets the stack needs; values are made once and never changed by a re-run. */
export const GENERATED: Record<string, () => string> = {
  POSTGRES_PASSWORD: () => secret(24),
  JWT_SECRET: () => secret(48),
}

/**
 * Makes sure the env file exists with every generated secret, adding only what is missing
 * (an operator's own settings and earlier secrets are kept). Mode 600: it holds secrets.
 * Returns the names it added.
 */
export async function ensureEnvFile(file: string, dryRun = false): Promise<string[]> {
  const text = (await fs.pathExists(file)) ? await fs.readFile(file, 'utf8') : ''
  const have = parseEnvFile(text)
  const missing = Object.keys(GENERATED).filter((k) => !have.get(k))
  if (missing.length === 0 || dryRun) return missing
  const header = text ? '' : '# Medic Scribe stack settings and secrets. Never commit this file.\n'
  const lines = missing.map((k) => `${k}=${GENERATED[k]!()}`)
  const body = `${text}${text && !text.endsWith('\n') ? '\n' : ''}${header}${lines.join('\n')}\n`
  await fs.writeFile(file, body, { mode: 0o600 })
  await fs.chmod(file, 0o600)
  return missing
}

/**
 * Sets `key=value` in the env file, replacing an existing line or appending one; every other
 * line (comments, an operator's settings) stays as it is. Mode 600, as ensureEnvFile.
 */
export async function setEnvValue(file: string, key: string, value: string): Promise<void> {
  const text = (await fs.pathExists(file)) ? await fs.readFile(file, 'utf8') : ''
  const line = `${key}=${value}`
  const pattern = new RegExp(`^\\s*${key}\\s*=.*$`, 'm')
  const body = pattern.test(text)
    ? text.replace(pattern, line)
    : `${text}${text && !text.endsWith('\n') ? '\n' : ''}${line}\n`
  await fs.writeFile(file, body, { mode: 0o600 })
}
