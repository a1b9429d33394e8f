// Bundles the Node entry into api/dist/node.js (and the account command into user.js) for the container image, with the files PGlite
// loads at run time beside it (esbuild cannot see those through its imports).
import { build } from 'esbuild'
import { copyFile, mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const api = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(api, 'dist')
const started = Date.now()
await mkdir(out, { recursive: true })
await build({
  // The server, and the account command operators run inside the container (`node /app/user.js`).
  entryPoints: { node: join(api, 'src/node.ts'), user: join(api, 'src/cli/user.ts') },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  outdir: out,
  sourcemap: 'linked',
  legalComments: 'none',
  // Some dependencies are CommonJS and call require(); ESM output needs one in scope.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
})
const pgliteDist = dirname(createRequire(join(api, 'package.json')).resolve('@electric-sql/pglite'))
for (const asset of ['pglite.data', 'pglite.wasm', 'initdb.wasm']) {
  await copyFile(join(pgliteDist, asset), join(out, asset))
}
console.log(`built api/dist/node.js and user.js in ${Date.now() - started} ms`)
