import { build } from 'esbuild'
import { $, fs, path } from 'zx'
import type { OpsContext } from '../../lib/context.ts'
import { dockerPlatform } from '../../lib/docker.ts'
import { StopError } from '../../lib/errors.ts'
import { BUILD_DIR, fromRoot } from '../../lib/paths.ts'
import { hasCommand } from '../../lib/system.ts'

export const NODE_BINARY = fromRoot('node_modules', 'node', 'bin', 'node')
/** The pinned Node, stripped of its debug symbols (150 → 116 MB), shared by api and stt. */
export const STAGED_NODE = path.join(BUILD_DIR, '.cache', 'node')

/** The host's Node binary goes into linux images: the host must be Linux of the engine's arch. */
export async function checkNodeBinary(): Promise<string> {
  if (!(await fs.pathExists(NODE_BINARY))) {
    throw new StopError(`${NODE_BINARY} is missing`, 'run `npm ci` (the node devDependency)')
  }
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string] ?? process.arch
  const host = `${process.platform}/${arch}`
  const engine = await dockerPlatform()
  if (engine && engine !== host) {
    throw new StopError(
      `node_modules/node is built for ${host}, but the engine runs ${engine} images`,
      'build the images on a Linux machine of the same architecture as the engine (as CI does)'
    )
  }
  return host
}

export async function stageNode(ctx: OpsContext): Promise<string> {
  await checkNodeBinary()
  const fresh =
    (await fs.pathExists(STAGED_NODE)) &&
    (await fs.stat(STAGED_NODE)).mtimeMs >= (await fs.stat(NODE_BINARY)).mtimeMs
  if (fresh) return 'stripped Node binary up to date'
  if (ctx.dryRun) return `would strip ${NODE_BINARY} into ${STAGED_NODE}`
  await fs.mkdirp(path.dirname(STAGED_NODE))
  if (await hasCommand('strip')) {
    await $({ quiet: true })`strip --strip-all -o ${STAGED_NODE} ${NODE_BINARY}`
  } else {
    await fs.copy(NODE_BINARY, STAGED_NODE)
  }
  const version = (await $({ quiet: true })`${STAGED_NODE} --version`).stdout.trim()
  return `node ${version}, ${((await fs.stat(STAGED_NODE)).size / 1e6).toFixed(0)} MB`
}

export async function buildApiBundle(ctx: OpsContext): Promise<string> {
  await ctx.run`npm run --silent build`
  return 'api/dist/node.js'
}

/** The PWA for the edge image (web/dist), when the repository has web/; else the placeholder. */
export async function buildWebApp(ctx: OpsContext): Promise<string> {
  if (!(await fs.pathExists(fromRoot('web', 'package.json')))) {
    return 'no web/: the edge serves its placeholder page'
  }
  await ctx.run`npm run --silent build:web`
  return 'web/dist'
}

/** The stt server in one CommonJS file (busboy included), for the same Node binary. */
export async function bundleStt(ctx: OpsContext, outfile: string): Promise<string> {
  if (ctx.dryRun) return `would bundle compose/stt/server.ts into ${outfile}`
  await build({
    entryPoints: [fromRoot('compose', 'stt', 'server.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    outfile,
    logLevel: 'warning',
  })
  return `${path.relative(fromRoot(), outfile)}, ${((await fs.stat(outfile)).size / 1e3).toFixed(0)} kB`
}
