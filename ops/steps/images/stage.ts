import { fs, path } from 'zx'
import type { ImageName } from '../../lib/images.ts'
import { BUILD_DIR, fromRoot } from '../../lib/paths.ts'
import { StopError } from '../../lib/errors.ts'
import { STAGED_NODE } from './artifacts.ts'
import { stageWheels } from './wheels.ts'

const API_FILES = ['node.js', 'user.js', 'pglite.wasm', 'initdb.wasm', 'pglite.data']

/** A node binary in a context: a hard link to the stripped one (no copy of 116 MB). */
async function linkNode(dir: string): Promise<void> {
  await fs
    .link(STAGED_NODE, path.join(dir, 'node'))
    .catch(() => fs.copy(STAGED_NODE, path.join(dir, 'node')))
}

// What each context holds beyond compose/images/<name>/: never node_modules, only artifacts.
const EXTRAS: Record<ImageName, (dir: string) => Promise<void>> = {
  api: async (dir) => {
    await linkNode(dir)
    // `npm run build` leaves the server, the account command and PGlite's files in api/dist.
    const dist = fromRoot('api', 'dist')
    for (const file of API_FILES) {
      if (!(await fs.pathExists(path.join(dist, file)))) {
        throw new StopError(`api/dist/${file} is missing`, 'run `npm run build` and retry')
      }
    }
    // Source maps stay out: 12 MB that Node uses only with --enable-source-maps.
    await fs.copy(dist, path.join(dir, 'app'), { filter: (f: string) => !f.endsWith('.map') })
  },
  stt: async (dir) => {
    await linkNode(dir) // server.cjs is bundled straight into the context
    await stageWheels(dir)
  },
  edge: async (dir) => {
    // The PWA once web/ is built; until then the placeholder page.
    const web = fromRoot('web', 'dist')
    const built = await fs.pathExists(path.join(web, 'index.html'))
    await fs.copy(built ? web : path.join(dir, 'placeholder'), path.join(dir, 'site'))
    await fs.rm(path.join(dir, 'placeholder'), { recursive: true })
  },
  postgres: async () => {},
}

/** Lays out build/images/<name>/ afresh and returns it. */
export async function stageContext(name: ImageName): Promise<string> {
  const dir = path.join(BUILD_DIR, name)
  await fs.rm(dir, { recursive: true, force: true })
  await fs.copy(fromRoot('compose', 'images', name), dir)
  await EXTRAS[name](dir)
  return dir
}

/** The context's size, for the log: what `docker build` will send. */
export async function contextSize(dir: string): Promise<number> {
  let total = 0
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await fs.stat(path.join(entry.parentPath, entry.name))).size
  }
  return total
}
