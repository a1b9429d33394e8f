import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { fromRoot } from '../../ops/lib/paths.ts'
import { connect, until } from './stack.ts'
import { ops } from './ops-script.ts'
import { SSH_HOST, keygen, startSftpServer } from './sshd.ts'
import type { StartedSftp } from './sshd.ts'

const stack = inject('stack')
const REMOTE_PATH = '/srv/restic/medic-scribe'

// restic's SFTP backend against a real sshd, configured the way the README tells operators to:
// the repository and the ssh command in the env file, the host key pinned in known_hosts.
describe.skipIf(!stack)('backup to an SFTP repository', { timeout: 300_000 }, () => {
  const s = connect(stack!)
  let dir = ''
  let sftp: StartedSftp | undefined
  let env: Record<string, string> = {}

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scribe-sftp-'))
    sftp = await startSftpServer(dir)
    const envFile = join(dir, 'scribe.env')
    await writeFile(
      envFile,
      [
        `RESTIC_REPOSITORY=sftp:${SSH_HOST}:${REMOTE_PATH}`,
        `RESTIC_SFTP_COMMAND=${sftp.sftpCommand}`,
        `RESTIC_PASSWORD_FILE=${join(dir, 'restic-password')}`,
        `COMPOSE_PROJECT_NAME=${stack!.projectName}`,
        `POSTGRES_PASSWORD=${stack!.env.POSTGRES_PASSWORD!}`,
        '',
      ].join('\n'),
      { mode: 0o600 }
    )
    env = { SCRIBE_ENV_FILE: envFile }
  })
  afterAll(async () => {
    await sftp?.container.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
    await rm(fromRoot('build', 'backup', stack!.projectName), { recursive: true, force: true })
    await rm(fromRoot('build', 'backup', `${stack!.projectName}.lock`), { force: true })
  })

  it('should back up, verify and restore through the SFTP server', async () => {
    const token = await s.login()
    const notes = await s.json<{ items: { id: string }[] }>(token, '/api/notes?limit=100')

    const backup = await ops('backup.ts', [], env)
    console.log(backup.out)
    expect(backup.code, backup.out).toBe(0)
    expect(backup.out).toContain(`created a restic repository at sftp:${SSH_HOST}:${REMOTE_PATH}`)
    expect(backup.out).toMatch(/Backup [0-9a-f]{8}: \d+ files/)
    // The data is on the server, written by its restic account.
    const packs = await sftp!.container.exec([
      'sh',
      '-c',
      `find ${REMOTE_PATH}/data -type f ! -user restic | wc -l; find ${REMOTE_PATH}/data -type f | wc -l`,
    ])
    const [foreign, total] = packs.output.trim().split('\n').map(Number)
    expect(foreign).toBe(0)
    expect(total).toBeGreaterThan(0)

    const verify = await ops('backup-verify.ts', [], env)
    console.log(verify.out)
    expect(verify.code, verify.out).toBe(0)
    expect(verify.out).toMatch(/Verified snapshot [0-9a-f]{8}/)

    const restore = await ops('restore.ts', ['--yes'], env)
    console.log(restore.out)
    expect(restore.code, restore.out).toBe(0)
    expect(restore.out).toMatch(/✓ restore the database and compare with the manifest .*match/)
    await until(
      'the api through the edge',
      async () => (await s.request('/health/live')).status === 200,
      120_000
    )
    const again = await s.login()
    expect(await s.json<{ items: { id: string }[] }>(again, '/api/notes?limit=100')).toEqual(notes)
  })

  it('should refuse a server whose host key is not the pinned one', async () => {
    // Another key pinned for the alias: ssh must stop before any data is read or written.
    const other = await mkdtemp(join(dir, 'other-'))
    await keygen(join(other, 'k'), 'not the server')
    await sftp!.pinHostKey((await readFile(join(other, 'k.pub'), 'utf8')).trim())
    try {
      const verify = await ops('backup-verify.ts', ['--quick'], env)
      console.log(verify.out)
      expect(verify.code).toBe(1)
      expect(verify.out).toMatch(
        /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/
      )
    } finally {
      await sftp!.pinHostKey(sftp!.hostKey)
    }
  })
})
