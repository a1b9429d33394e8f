// The monitor's images (Debian's Prometheus, Alertmanager, blackbox and node exporters), built
// only when their folder under compose/images/ or the base image changed: each image carries
// the content hash of what it was built from, so `make up` and the stack suite skip a rebuild
// that would produce the same thing. `make images` does not build them.
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { $, path } from 'zx'
import type { OpsContext } from '../context.ts'
import { buildxAvailable, formatMB, imageLabel, imageSize } from '../docker.ts'
import { BASE_IMAGE, DEFAULT_TAG } from '../images.ts'
import { fromRoot } from '../paths.ts'
import { IMAGE_LABEL } from '../../steps/images/build.ts'

export const MONITOR_IMAGES = ['prometheus', 'alertmanager', 'blackbox', 'node-exporter'] as const
export type MonitorImage = (typeof MONITOR_IMAGES)[number]
export const HASH_LABEL = 'org.medic-scribe.context-hash'

export const monitorImageRef = (name: MonitorImage, tag: string = DEFAULT_TAG): string =>
  `medic-scribe/${name}:${tag}`

/** SHA-256 of the base image's id and every file of the context (path and content). */
export async function contextHash(name: MonitorImage): Promise<string> {
  const dir = fromRoot('compose', 'images', name)
  const hash = createHash('sha256')
  const base = await $({
    quiet: true,
    timeout: '15s',
  })`docker image inspect --format {{.Id}} ${BASE_IMAGE}`
  hash.update(`base ${base.stdout.trim()}\n`)
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
  for (const f of files) {
    hash.update(`file ${f}\n`)
    hash.update(await readFile(path.join(dir, f)))
  }
  return hash.digest('hex').slice(0, 16)
}

/** Builds the image unless one with the same context hash is there; says which. */
export async function ensureMonitorImage(
  ctx: OpsContext,
  name: MonitorImage,
  tag: string
): Promise<string> {
  const ref = monitorImageRef(name, tag)
  const hash = await contextHash(name)
  if ((await imageLabel(ref, HASH_LABEL)) === hash) {
    return `${ref} up to date (${formatMB((await imageSize(ref)) ?? 0)})`
  }
  const progress = (await buildxAvailable()) ? ['--progress=plain'] : []
  const dir = fromRoot('compose', 'images', name)
  // Package downloads from Debian's mirror: 10 minutes is generous, a hang is not.
  await ctx.runQuiet`timeout 600 docker build ${progress} --build-arg BASE_IMAGE=${BASE_IMAGE} --label ${`${IMAGE_LABEL}=${name}`} --label ${`${HASH_LABEL}=${hash}`} --tag ${ref} ${dir}`
  if (ctx.dryRun) return `would build ${ref}`
  return `${ref} built (${formatMB((await imageSize(ref)) ?? 0)})`
}
