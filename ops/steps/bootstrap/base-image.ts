import os from 'node:os'
import { $, fs, path } from 'zx'
import type { OpsContext } from '../../lib/context.ts'
import { formatMB, imageExists, imageLabel, imageSize } from '../../lib/docker.ts'
import { StopError } from '../../lib/errors.ts'
import { BASE_IMAGE, BASE_SUITE, DEBIAN_MIRROR } from '../../lib/images.ts'
import { slimRootfs } from '../../lib/rootfs.ts'
import { detail } from '../../lib/step.ts'
import { aptInstall, canAptInstall, hasCommand, isRoot } from '../../lib/system.ts'

/** Marks a base built here, so later runs (and people) can tell it from the official one. */
const ORIGIN_LABEL = 'org.medic-scribe.base-origin'
const PULL_TIMEOUT = '120s'

/** Builds BASE_IMAGE from Debian's mirror with debootstrap and imports it (DESIGN §6). */
async function buildWithDebootstrap(ctx: OpsContext): Promise<void> {
  if (!isRoot()) {
    throw new StopError(
      `${BASE_IMAGE} cannot be pulled, and building it with debootstrap needs root`,
      `make a registry reachable, or run \`sudo npm run bootstrap\`, or load it: docker load -i <file>`
    )
  }
  if (!(await hasCommand('debootstrap'))) {
    if (!(await canAptInstall())) {
      throw new StopError('debootstrap is missing', 'install debootstrap, then rerun bootstrap')
    }
    await aptInstall(ctx, ['debootstrap'])
  }
  const dir = ctx.dryRun
    ? '/tmp/medic-rootfs-XXXX'
    : await fs.mkdtemp(path.join(os.tmpdir(), 'medic-rootfs-'))
  try {
    detail(`debootstrap --variant=minbase ${BASE_SUITE} (about 30 s)`)
    await ctx.runQuiet`debootstrap --variant=minbase ${BASE_SUITE} ${dir} ${DEBIAN_MIRROR}`
    detail('slimming it as Debian slims its official images')
    if (!ctx.dryRun) await slimRootfs(dir)
    detail(`importing it as ${BASE_IMAGE}`)
    // The same PATH and command as the official image, which Dockerfiles may extend.
    const changes = [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'CMD ["bash"]',
      `LABEL ${ORIGIN_LABEL}=debootstrap`,
    ]
    const flags = changes.flatMap((c) => ['--change', c])
    await ctx.runQuiet`tar -C ${dir} -c . | docker import ${flags} - ${BASE_IMAGE}`
  } finally {
    if (!ctx.dryRun) await fs.rm(dir, { recursive: true, force: true })
  }
}

/** Makes sure BASE_IMAGE exists locally: pulled where a registry answers, else built. */
export async function ensureBaseImage(ctx: OpsContext): Promise<string> {
  if (await imageExists(BASE_IMAGE)) {
    const origin = await imageLabel(BASE_IMAGE, ORIGIN_LABEL)
    return `${BASE_IMAGE} present${origin ? ` (built here with ${origin})` : ''}`
  }
  detail(`docker pull ${BASE_IMAGE} (gives up after ${PULL_TIMEOUT})`)
  if (ctx.dryRun) {
    detail(`would run: docker pull ${BASE_IMAGE}, and if that fails:`)
  } else {
    const pull = await $({
      quiet: true,
      nothrow: true,
      timeout: PULL_TIMEOUT,
    })`docker pull ${BASE_IMAGE}`
    if (pull.ok) return `pulled ${BASE_IMAGE}`
    const why = (pull.stderr.trim().split('\n').at(-1) ?? '').slice(0, 160)
    detail(`the pull failed (${why || pull.signal || 'no answer'}); building it instead`)
  }
  await buildWithDebootstrap(ctx)
  if (ctx.dryRun) return 'dry run'
  const size = await imageSize(BASE_IMAGE)
  return `built ${BASE_IMAGE} with debootstrap${size ? ` (${formatMB(size)})` : ''}`
}
