// Throwaway ssh servers (tests/stack/sshd/) with keys made for one test run: the client key is
// the only one authorized, and the client trusts only the server's own host key (pinned in a
// known_hosts file, StrictHostKeyChecking yes), as an operator's setup would. Two images: an
// SFTP server for restic (Dockerfile) and, on top of it, a deploy target with the docker CLI
// (Dockerfile.docker).
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { GenericContainer, Wait } from 'testcontainers'
import type { StartedTestContainer } from 'testcontainers'
import { BASE_IMAGE } from '../../ops/lib/images.ts'
import { fromRoot } from '../../ops/lib/paths.ts'

const exec = promisify(execFile)
const CONTEXT = fromRoot('tests', 'stack', 'sshd')
export const SSH_HOST = 'scribe-backup-test'
export const DEPLOY_HOST_ALIAS = 'scribe-deploy-test'

/**
 * An image built once per content of the files it is made from (the tag is a hash of them and
 * of its build arguments), then reused; older builds in the same repository are dropped.
 */
async function cachedImage(
  repo: string,
  dockerfile: string,
  files: string[],
  args: Record<string, string> = {}
): Promise<string> {
  const hash = createHash('sha256')
  for (const f of files) hash.update(await readFile(join(CONTEXT, f)))
  for (const value of Object.values(args)) hash.update(value)
  const ref = `${repo}:${hash.digest('hex').slice(0, 12)}`
  const have = await exec('docker', ['image', 'inspect', ref]).then(
    () => true,
    () => false
  )
  const buildArgs = Object.entries({ BASE_IMAGE, ...args }).flatMap(([k, v]) => [
    '--build-arg',
    `${k}=${v}`,
  ])
  if (!have)
    await exec(
      'docker',
      [
        'build',
        '-q',
        '--force-rm',
        ...buildArgs,
        '-f',
        join(CONTEXT, dockerfile),
        '-t',
        ref,
        CONTEXT,
      ],
      { maxBuffer: 16 * 1024 * 1024 }
    ).catch((err: { stderr?: string }) => {
      const tail = (err.stderr ?? '').trim().split('\n').slice(-15).join('\n')
      throw new Error(`docker build of ${ref} failed:\n${tail}`)
    })
  const tags = (await exec('docker', ['images', repo, '--format', '{{.Tag}}'])).stdout.split('\n')
  for (const tag of tags.filter((t) => t && `${repo}:${t}` !== ref))
    await exec('docker', ['rmi', `${repo}:${tag}`]).catch(() => undefined)
  return ref
}

/** The SFTP server image. */
export const sshdImage = () =>
  cachedImage('medic-scribe/test-sshd', 'Dockerfile', ['Dockerfile', 'sshd_config'])

/** The deploy target image: the SFTP image plus Debian's docker CLI and a `deploy` account. */
export const dockerSshdImage = async () =>
  cachedImage(
    'medic-scribe/test-sshd-docker',
    'Dockerfile.docker',
    ['Dockerfile.docker', 'sshd_config.docker', 'docker-entrypoint.sh'],
    { SSHD_IMAGE: await sshdImage() }
  )

/** An ed25519 key pair without a passphrase: `file` and `file.pub`. */
export const keygen = (file: string, comment: string) =>
  exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file])

type StartedSsh = {
  container: StartedTestContainer
  /** The ssh client config for this server (`ssh -F <config> …`). */
  config: string
  host: string
  port: number
  /** Replaces the pinned host key with `line` (`ssh-ed25519 AAAA…`). */
  pinHostKey: (line: string) => Promise<void>
  hostKey: string
}

/**
 * Starts `image` with fresh keys in `dir`, and writes the ssh client config next to them: a
 * `Host` block (the alias, or the address when `byAddress`: what DOCKER_HOST names) for `user`,
 * the key pinned under `alias` whatever port Docker mapped.
 */
async function startSshServer(
  dir: string,
  o: { image: string; user: string; alias: string; byAddress?: boolean; mux?: boolean },
  setup: (c: GenericContainer) => GenericContainer = (c) => c
): Promise<StartedSsh> {
  const hostKeyFile = join(dir, 'host_ed25519')
  const clientKey = join(dir, 'id_ed25519')
  await keygen(hostKeyFile, `${o.alias} host`)
  await keygen(clientKey, `${o.alias} client`)
  const container = await setup(new GenericContainer(o.image))
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
  const host = container.getHost() === 'localhost' ? '127.0.0.1' : container.getHost()
  const port = container.getMappedPort(22)
  const knownHosts = join(dir, 'known_hosts')
  const pinHostKey = (line: string) =>
    writeFile(knownHosts, `${o.alias} ${line}\n`, { mode: 0o600 })
  await pinHostKey(hostKey)
  const config = join(dir, 'ssh_config')
  await writeFile(
    config,
    [
      `Host ${o.byAddress ? host : o.alias}`,
      `  HostName ${host}`,
      `  Port ${port}`,
      `  User ${o.user}`,
      `  IdentityFile ${clientKey}`,
      '  IdentitiesOnly yes',
      `  HostKeyAlias ${o.alias}`,
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  ConnectTimeout 10',
      // One ssh connection for the many short docker commands of a deploy (see RUNBOOK).
      ...(o.mux
        ? ['  ControlMaster auto', `  ControlPath ${join(dir, 'cm-%C')}`, '  ControlPersist 60']
        : []),
      '',
    ].join('\n'),
    { mode: 0o600 }
  )
  return { container, config, host, port, pinHostKey, hostKey }
}

export type StartedSftp = StartedSsh & {
  /** `ssh -F <config> scribe-backup-test -s sftp`: what restic's sftp.command is set to. */
  sftpCommand: string
}

/** The SFTP server for restic, reached as `scribe-backup-test` through its ssh config. */
export async function startSftpServer(dir: string): Promise<StartedSftp> {
  const ssh = await startSshServer(dir, {
    image: await sshdImage(),
    user: 'restic',
    alias: SSH_HOST,
  })
  return { ...ssh, sftpCommand: `ssh -F ${ssh.config} ${SSH_HOST} -s sftp` }
}

export type StartedDockerTarget = StartedSsh & {
  /** `ssh://deploy@<address>:<port>`, what DOCKER_HOST is set to. */
  dockerHost: string
  /**
   * What a deploy process needs on top of its environment: DOCKER_HOST, and PATH with an `ssh`
   * first that reads this server's config. docker's ssh transport runs plain `ssh` from PATH
   * (with -o ConnectTimeout, -T, -l, -p), and ssh reads ~/.ssh/config from the home directory
   * in the passwd database, not from $HOME: a wrapper is the way to give it another config.
   */
  env: Record<string, string>
  /** Closes the shared ssh connection (the next command opens a new one, checking the host key). */
  closeConnection: () => Promise<void>
  /** Closes the shared ssh connection, then stops the server. */
  stop: () => Promise<void>
}

/**
 * A deploy target reached over ssh: docker's CLI in the server container talks to the engine
 * whose socket `socket` is (this host's own dockerd).
 */
export async function startDockerTarget(
  dir: string,
  socket = '/var/run/docker.sock'
): Promise<StartedDockerTarget> {
  const ssh = await startSshServer(
    dir,
    {
      image: await dockerSshdImage(),
      user: 'deploy',
      alias: DEPLOY_HOST_ALIAS,
      byAddress: true,
      mux: true,
    },
    (c) => c.withBindMounts([{ source: socket, target: '/var/run/docker.sock' }])
  )
  const bin = join(dir, 'bin')
  await mkdir(bin, { recursive: true })
  const real = (await exec('sh', ['-c', 'command -v ssh'])).stdout.trim()
  await writeFile(join(bin, 'ssh'), `#!/bin/sh\nexec ${real} -F ${ssh.config} "$@"\n`, {
    mode: 0o755,
  })
  const dockerHost = `ssh://deploy@${ssh.host}:${ssh.port}`
  const closeConnection = async () => {
    await exec(real, ['-F', ssh.config, '-O', 'exit', ssh.host]).catch(() => undefined)
  }
  return {
    ...ssh,
    dockerHost,
    env: { DOCKER_HOST: dockerHost, PATH: `${bin}:${process.env.PATH ?? ''}` },
    closeConnection,
    stop: async () => {
      await closeConnection()
      await ssh.container.stop()
    },
  }
}
