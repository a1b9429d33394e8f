// Images an ops script needs only for itself (certbot, testssl.sh): built on first use from
// their folder under compose/images/, tagged with a hash of that folder's files and the base
// image, so an unchanged one is never rebuilt and a changed one always is.
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { $, path } from 'zx'
import type { OpsContext } from './context.ts'
import { formatMB, imageExists, imageSize } from './docker.ts'
import { BASE_IMAGE } from './images.ts'
import { fromRoot } from './paths.ts'
import { detail } from './step.ts'
import { IMAGE_LABEL } from '../steps/images/build.ts'

/** The content hash of a build context: every file's relative path and bytes, and the base. */
export async function contextHash(dir: string): Promise<string> {
  const hash = createHash('sha256').update(BASE_IMAGE)
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
  for (const f of files) hash.update(f).update(await readFile(path.join(dir, f)))
  return hash.digest('hex').slice(0, 12)
}

export type CachedImage = { ref: string; built: boolean; bytes: number }

/**
 * `medic-scribe/<name>:<hash>` built from compose/images/<name> (or `dir`) unless it exists.
 * Older tags of the same image are left alone: another checkout may still use them.
 */
export async function ensureCachedImage(
  ctx: OpsContext,
  name: string,
  dir = fromRoot('compose', 'images', name)
): Promise<CachedImage> {
  const ref = `medic-scribe/${name}:${await contextHash(dir)}`
  if (await imageExists(ref)) return { ref, built: false, bytes: (await imageSize(ref)) ?? 0 }
  if (ctx.dryRun) {
    detail(`would build ${ref} from ${path.relative(fromRoot(), dir)}`)
    return { ref, built: true, bytes: 0 }
  }
  detail(`building ${ref} (first use of this version)`)
  await $({
    quiet: true,
    timeout: '15m',
  })`docker build --build-arg BASE_IMAGE=${BASE_IMAGE} --label ${`${IMAGE_LABEL}=${name}`} --tag ${ref} ${dir}`
  const bytes = (await imageSize(ref)) ?? 0
  detail(`${ref}: ${formatMB(bytes)}`)
  return { ref, built: true, bytes }
}
