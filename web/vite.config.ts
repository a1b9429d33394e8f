import { readFile, readdir, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import path from 'node:path'
import { defineConfig } from 'vite'
import type { Plugin } from 'vite'
import react from '@vitejs/plugin-react'

/**
 * Fills the service worker's precache list with the built app shell (every file in dist but
 * the worker itself) and a version derived from their contents, so a new build replaces the
 * old cache. The worker never caches anything else: API responses hold patient data.
 */
function precacheManifest(): Plugin {
  let outDir = 'dist'
  return {
    name: 'medic-scribe-precache',
    apply: 'build',
    configResolved(config) {
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
      const swPath = path.join(outDir, 'sw.js')
      const sw = await readFile(swPath, 'utf8')
      const urls = ['/', ...files.filter((f) => f !== 'index.html').map((f) => `/${f}`)]
      const filled = sw
        .replace("'__PRECACHE_VERSION__'", JSON.stringify(hash.digest('hex').slice(0, 12)))
        .replace('/* __PRECACHE_URLS__ */ []', JSON.stringify(urls))
      if (filled === sw) throw new Error('sw.js: the precache placeholders are missing')
      await writeFile(swPath, filled)
    },
  }
}

// `npm run dev -w web` proxies the API of `npm run dev` (port 8080); API_URL points elsewhere.
const api = process.env.API_URL ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [react(), precacheManifest()],
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
