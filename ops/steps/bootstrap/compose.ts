import os from 'node:os'
import { fs, path } from 'zx'
import type { OpsContext } from '../../lib/context.ts'
import { composeVersion } from '../../lib/docker.ts'
import { StopError } from '../../lib/errors.ts'
import { BASE_IMAGE } from '../../lib/images.ts'
import { detail } from '../../lib/step.ts'
import { isRoot } from '../../lib/system.ts'

// Debian's `docker-compose` package holds the v2 plugin from trixie on (bookworm's is v1).
const PLUGIN_IN_DEB = 'usr/libexec/docker/cli-plugins/docker-compose'
const FETCH = `set -eu
apt-get update -qq
cd /tmp && apt-get download -qq docker-compose
dpkg-deb -x docker-compose_*.deb x
cp x/${PLUGIN_IN_DEB} /out/docker-compose`

/** Where the docker CLI looks for plugins: system-wide as root, else the user's own. */
const pluginDir = (): string =>
  isRoot() ? '/usr/local/lib/docker/cli-plugins' : path.join(os.homedir(), '.docker', 'cli-plugins')

/** Makes sure `docker compose` (v2) works; else takes the plugin from Debian's package. */
export async function ensureCompose(ctx: OpsContext): Promise<string> {
  const version = await composeVersion()
  if (version) return `docker compose ${version}`
  const target = path.join(pluginDir(), 'docker-compose')
  detail(`no compose v2: extracting it from Debian's docker-compose package into ${target}`)
  const out = ctx.dryRun
    ? '/tmp/medic-compose-XXXX'
    : await fs.mkdtemp(path.join(os.tmpdir(), 'medic-compose-'))
  try {
    // Inside a throwaway container of the base image, so any host (even bookworm) gets v2.
    await ctx.runQuiet`docker run --rm --network host -v ${out}:/out ${BASE_IMAGE} sh -c ${FETCH}`
    if (!ctx.dryRun) {
      await fs.mkdirp(path.dirname(target))
      await fs.copy(path.join(out, 'docker-compose'), target)
      await fs.chmod(target, 0o755)
    }
  } finally {
    if (!ctx.dryRun) await fs.rm(out, { recursive: true, force: true })
  }
  if (ctx.dryRun) return 'dry run'
  const installed = await composeVersion()
  if (!installed) {
    throw new StopError(
      `installed ${target}, but \`docker compose version\` still fails`,
      'install the Compose v2 plugin by hand: https://docs.docker.com/compose/install/linux/'
    )
  }
  return `installed docker compose ${installed} (${target})`
}
