import { readFile, readdir } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import path from 'node:path'
import { build } from 'esbuild'
import { defineConfig } from 'vite'
import type { Plugin } from 'vite'
import react from '@vitejs/plugin-react'

/**
 * Builds the service worker (src/sw/sw.ts, which shares the page's queue and store) into
 * dist/sw.js, with the precache list filled in: the built app shell (every file in dist but the
 * worker) and a version derived from their contents, so a new build replaces the old cache. The
 * worker never caches anything else: API responses hold patient data.
 */
function serviceWorker(): Plugin {
  let root = '.'
  let outDir = 'dist'
  return {
    name: 'medic-scribe-service-worker',
    apply: 'build',
    configResolved(config) {
      root = config.root
      outDir = path.resolve(config.root, config.build.outDir)
    },
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) =>
          path.relative(outDir, path.join(e.parentPath, e.name)).split(path.sep).join('/')
        )
        .filter((f) => f !== 'sw.js' && !f.endsWith('.map'))
        .sort()
      const hash = createHash('sha256')
      for (const f of files) hash.update(f).update(await readFile(path.join(outDir, f)))
      const urls = ['/', ...files.filter((f) => f !== 'index.html').map((f) => `/${f}`)]
      await build({
        entryPoints: [path.join(root, 'src', 'sw', 'sw.ts')],
        outfile: path.join(outDir, 'sw.js'),
        bundle: true,
        format: 'iife',
        target: 'es2022',
        minify: true,
        legalComments: 'none',
        define: {
          __PRECACHE_VERSION__: JSON.stringify(hash.digest('hex').slice(0, 12)),
          __PRECACHE_URLS__: JSON.stringify(urls),
        },
      })
    },
  }
}

// `npm run dev -w web` proxies the API of `npm run dev` (port 8080); API_URL points elsewhere.
const api = process.env.API_URL ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [react(), serviceWorker()],
  build: {
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': api,
      '/ws': { target: api.replace(/^http/, 'ws'), ws: true },
    },
  },
})
