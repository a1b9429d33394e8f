// The image of the Swarm stack's own object store: compose/images/seaweedfs plus the SeaweedFS
// binary `make seaweedfs` builds and caches, staged together in build/images/seaweedfs. Tagged by
// the folder's hash and the SeaweedFS version, so it is built once per version and reused.
import { createHash } from 'node:crypto'
import { $, fs, path } from 'zx'
import { ensureSeaweedfs, SEAWEEDFS_VERSION } from '../steps/tools/seaweedfs.ts'
import { IMAGE_LABEL } from '../steps/images/build.ts'
import { contextHash } from './cached-image.ts'
import { imageExists } from './docker.ts'
import { BASE_IMAGE } from './images.ts'
import { fromRoot } from './paths.ts'

const CONTEXT = fromRoot('compose', 'images', 'seaweedfs')

/** `medic-scribe/seaweedfs:<hash>`, the same on every machine with the same sources. */
export async function seaweedfsImageRef(): Promise<string> {
  const hash = createHash('sha256')
    .update(await contextHash(CONTEXT))
    .update(SEAWEEDFS_VERSION)
    .digest('hex')
    .slice(0, 12)
  return `medic-scribe/seaweedfs:${hash}`
}

/** Builds the image unless it exists (the binary too, unless cached); returns its reference. */
export async function ensureSeaweedfsImage(o: { dryRun: boolean }): Promise<string> {
  const ref = await seaweedfsImageRef()
  if ((await imageExists(ref)) || o.dryRun) return ref
  const bin = await ensureSeaweedfs()
  const staging = fromRoot('build', 'images', 'seaweedfs')
  await fs.remove(staging)
  await fs.copy(CONTEXT, staging)
  // A hard link when the cache shares the filesystem: the binary is 160 MB.
  await fs
    .link(bin, path.join(staging, 'weed'))
    .catch(() => fs.copy(bin, path.join(staging, 'weed')))
  await $({
    quiet: true,
    timeout: '10m',
  })`docker build --build-arg BASE_IMAGE=${BASE_IMAGE} --label ${`${IMAGE_LABEL}=seaweedfs`} --tag ${ref} ${staging}`
  await fs.remove(staging)
  return ref
}
