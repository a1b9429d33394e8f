// A throwaway SFTP server (tests/stack/sshd/Dockerfile) with keys made for one test run: the
// client key is the only one authorized, and the client trusts only the server's own host key
// (pinned in a known_hosts file, StrictHostKeyChecking yes), as an operator's setup would.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { GenericContainer, Wait } from 'testcontainers'
import type { StartedTestContainer } from 'testcontainers'
import { BASE_IMAGE } from '../../ops/lib/images.ts'
import { fromRoot } from '../../ops/lib/paths.ts'

const exec = promisify(execFile)
const CONTEXT = fromRoot('tests', 'stack', 'sshd')
export const SSH_HOST = 'scribe-backup-test'
const REPO = 'medic-scribe/test-sshd'

/** The image, built once per content of its folder (the tag is a hash of it), then reused. */
export async function sshdImage(): Promise<string> {
  const hash = createHash('sha256')
  for (const f of ['Dockerfile', 'sshd_config']) hash.update(await readFile(join(CONTEXT, f)))
  const ref = `${REPO}:${hash.digest('hex').slice(0, 12)}`
  const have = await exec('docker', ['image', 'inspect', ref]).then(
    () => true,
    () => false
  )
  if (!have)
    await exec(
      'docker',
      ['build', '-q', '--force-rm', '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '-t', ref, CONTEXT],
      {
        maxBuffer: 16 * 1024 * 1024,
      }
    ).catch((err: { stderr?: string }) => {
      const tail = (err.stderr ?? '').trim().split('\n').slice(-15).join('\n')
      throw new Error(`docker build of ${ref} failed:\n${tail}`)
    })
  // Older builds of this image (an earlier content of the folder) are dropped, not piled up.
  const tags = (await exec('docker', ['images', REPO, '--format', '{{.Tag}}'])).stdout.split('\n')
  for (const tag of tags.filter((t) => t && `${REPO}:${t}` !== ref))
    await exec('docker', ['rmi', `${REPO}:${tag}`]).catch(() => undefined)
  return ref
}

/** An ed25519 key pair without a passphrase: `file` and `file.pub`. */
export const keygen = (file: string, comment: string) =>
  exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file])

export type StartedSftp = {
  container: StartedTestContainer
  /** `ssh -F <config> scribe-backup-test -s sftp`: what restic's sftp.command is set to. */
  sftpCommand: string
  /** Replaces the pinned host key with `line` (`ssh-ed25519 AAAA…`). */
  pinHostKey: (line: string) => Promise<void>
  hostKey: string
}

/** Starts the server with fresh keys in `dir`, and writes the ssh client config next to them. */
export async function startSftpServer(dir: string): Promise<StartedSftp> {
  const hostKeyFile = join(dir, 'host_ed25519')
  const clientKey = join(dir, 'id_ed25519')
  await keygen(hostKeyFile, 'scribe-backup-test host')
  await keygen(clientKey, 'scribe-backup-test client')
  const container = await new GenericContainer(await sshdImage())
    .withExposedPorts(22)
    .withCopyContentToContainer([
      { content: await readFile(hostKeyFile), target: '/etc/ssh/keys/host_ed25519', mode: 0o600 },
      {
        content: await readFile(`${clientKey}.pub`),
        target: '/etc/ssh/keys/authorized_keys',
        mode: 0o644,
      },
    ])
    .withWaitStrategy(Wait.forLogMessage(/Server listening on/))
    .start()
  const hostKey = (await readFile(`${hostKeyFile}.pub`, 'utf8')).trim()
  const knownHosts = join(dir, 'known_hosts')
  // HostKeyAlias: the key is pinned under the alias, whatever port Docker mapped.
  const pinHostKey = (line: string) =>
    writeFile(knownHosts, `${SSH_HOST} ${line}\n`, { mode: 0o600 })
  await pinHostKey(hostKey)
  const config = join(dir, 'ssh_config')
  await writeFile(
    config,
    [
      `Host ${SSH_HOST}`,
      `  HostName ${container.getHost() === 'localhost' ? '127.0.0.1' : container.getHost()}`,
      `  Port ${container.getMappedPort(22)}`,
      '  User restic',
      `  IdentityFile ${clientKey}`,
      '  IdentitiesOnly yes',
      `  HostKeyAlias ${SSH_HOST}`,
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  ConnectTimeout 10',
      '',
    ].join('\n'),
    { mode: 0o600 }
  )
  return { container, sftpCommand: `ssh -F ${config} ${SSH_HOST} -s sftp`, pinHostKey, hostKey }
}
