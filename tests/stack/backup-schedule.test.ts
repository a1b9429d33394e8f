import { execFile } from 'node:child_process'
import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { fromRoot } from '../../ops/lib/paths.ts'
import { ops, restic } from './ops-script.ts'
import { until } from './stack.ts'

const exec = promisify(execFile)
const stack = inject('stack')

// A timer and an operator may start a backup at the same moment: the lock lets one through and
// stops the other with one line, and the repository stays whole.
describe.skipIf(!stack)('overlapping backup runs', { timeout: 300_000 }, () => {
  let dir = ''
  let env: Record<string, string> = {}
  const lock = () => fromRoot('build', 'backup', `${stack!.projectName}.lock`)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scribe-overlap-'))
    env = {
      RESTIC_REPOSITORY: join(dir, 'repo'),
      RESTIC_PASSWORD_FILE: join(dir, 'restic-password'),
      COMPOSE_PROJECT_NAME: stack!.projectName,
      POSTGRES_PASSWORD: stack!.env.POSTGRES_PASSWORD!,
    }
  })
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
    await rm(fromRoot('build', 'backup', stack!.projectName), { recursive: true, force: true })
    await rm(lock(), { force: true })
  })

  it('should let one of two backups started together run, and stop the other at the lock', async () => {
    // Both start before the repository or its password exist: the race a first night can have.
    const runs = await Promise.all([ops('backup.ts', [], env), ops('backup.ts', [], env)])
    for (const r of runs) console.log(r.out)
    const ok = runs.filter((r) => r.code === 0)
    const stopped = runs.filter((r) => r.code !== 0)
    expect(ok).toHaveLength(1)
    expect(stopped).toHaveLength(1)
    expect(stopped[0]!.out).toMatch(
      new RegExp(`✗ locked: backup of ${stack!.projectName} \\(pid \\d+ on .+\\) has run since`)
    )
    const snapshots = JSON.parse(await restic(['snapshots', '--json'], env)) as unknown[]
    expect(snapshots).toHaveLength(1)
    const verify = await ops('backup-verify.ts', [], env)
    expect(verify.code, verify.out).toBe(0)
    await expect(access(lock())).rejects.toThrow()
  })

  it('should refuse a restore and a prune while a backup runs', async () => {
    const backup = ops('backup.ts', [], env)
    await until('the backup to take its lock', () => access(lock()).then(() => true), 60_000)
    const restore = await ops('restore.ts', ['--yes'], env)
    const prune = await ops('backup-prune.ts', [], env)
    const done = await backup
    expect(done.code, done.out).toBe(0)
    for (const r of [restore, prune]) {
      expect(r.code, r.out).toBe(1)
      expect(r.out).toContain(`✗ locked: backup of ${stack!.projectName}`)
    }
    expect(restore.out).not.toContain('stop the api')
    const snapshots = JSON.parse(await restic(['snapshots', '--json'], env)) as unknown[]
    expect(snapshots).toHaveLength(2)
  })
})

const hasSystemd = await exec('systemd-analyze', ['--version']).then(
  () => true,
  () => false
)

describe.skipIf(!hasSystemd)('the systemd units', () => {
  it('should pass systemd-analyze verify without a warning, and run make targets that exist', async () => {
    const units = (await readdir(fromRoot('ops', 'systemd'))).map((u) =>
      fromRoot('ops', 'systemd', u)
    )
    expect(units.length).toBeGreaterThanOrEqual(4)
    // verify exits 0 on unknown keys and only warns, so any output at all is a failure.
    const out = await exec('systemd-analyze', ['verify', ...units])
    expect(`${out.stdout}${out.stderr}`.trim()).toBe('')
    const makefile = await readFile(fromRoot('Makefile'), 'utf8')
    for (const unit of units.filter((u) => u.endsWith('.service'))) {
      const targets = [...(await readFile(unit, 'utf8')).matchAll(/^ExecStart=.*make .* (\S+)$/gm)]
      expect(targets.length, unit).toBeGreaterThan(0)
      for (const [, target] of targets)
        expect(makefile, `${unit}: make ${target}`).toMatch(new RegExp(`^${target}: `, 'm'))
    }
  })
})
