// Medic Scribe service worker: precaches the app shell so the app starts offline (and recordings
// can still be made and kept). It never caches, and never touches, /api/ or /ws: those responses
// hold patient data. The precache list and version are filled in by web/vite.config.ts at build.
const VERSION = '__PRECACHE_VERSION__'
const URLS = /* __PRECACHE_URLS__ */ []
const CACHE = `shell-${VERSION}`
const PASS_THROUGH = /^\/(api|ws|health|metrics|transcribe-and-summarize)(\/|$)/

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(URLS.map((u) => new Request(u, { cache: 'reload' }))))
      .then(() => self.skipWaiting())
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  )
})

self.addEventListener('fetch', (event) => {
  const req = event.request
  const url = new URL(req.url)
  if (req.method !== 'GET' || url.origin !== self.location.origin) return
  if (PASS_THROUGH.test(url.pathname)) return // the network only; nothing stored
  if (req.mode === 'navigate') {
    // The shell: the network first (a fresh deploy), the cached index.html when offline.
    event.respondWith(
      fetch(req).catch(() =>
        caches.match('/', { cacheName: CACHE }).then((r) => r || Response.error())
      )
    )
    return
  }
  if (URLS.includes(url.pathname)) {
    event.respondWith(
      caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || fetch(req))
    )
  }
})
