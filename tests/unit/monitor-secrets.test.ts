// alertmanager.yml holds the receivers' webhook URLs and the SMTP password: written readable by
// the Alertmanager container's user alone (uid 990, mode 600), the other files world-readable.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseOpsEnv } from '../../ops/lib/env.ts'
import { MONITOR_UID, monitorFiles, writeMonitorConfig } from '../../ops/lib/monitor/render.ts'

describe('the rendered monitor files', () => {
  let dir = ''
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'monitor-secrets-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  const env = parseOpsEnv(
    {
      ALERT_WEBHOOK_URL: 'https://hooks.example.org/t0ken',
      ALERT_EMAIL_TO: 'ops@example.org',
      SMTP_SMARTHOST: 'smtp.example.org:587',
      SMTP_FROM: 'scribe@example.org',
      SMTP_USERNAME: 'scribe',
      SMTP_PASSWORD: 'smtp-secret',
    },
    '/nonexistent/.env'
  )

  it('should keep alertmanager.yml to the container user, even over an older 644 file', async () => {
    // What the previous version left behind: a world-readable copy, and a stale temp file.
    await writeFile(join(dir, 'alertmanager.yml'), 'old', { mode: 0o644 })
    await writeFile(join(dir, 'alertmanager.yml.tmp'), 'stale', { mode: 0o644 })
    await writeMonitorConfig(dir, monitorFiles(env, 'prod'), 'prod')

    const secret = await stat(join(dir, 'alertmanager.yml'))
    expect(secret.mode & 0o777).toBe(0o600)
    // As root (make up, the test machines) the file is given to the container's user; an
    // operator who is not root keeps it and prepare.ts hands it over through the image.
    expect(secret.uid).toBe(process.getuid?.() === 0 ? MONITOR_UID : process.getuid?.())
    const text = await readFile(join(dir, 'alertmanager.yml'), 'utf8')
    expect(text).toContain('smtp-secret')
    expect(text).toContain('t0ken')
    for (const name of ['prometheus.yml', 'rules.yml', 'blackbox.yml']) {
      expect((await stat(join(dir, name))).mode & 0o777, name).toBe(0o644)
      expect(await readFile(join(dir, name), 'utf8'), name).not.toMatch(/smtp-secret|t0ken/)
    }
  })
})
