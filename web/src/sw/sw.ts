/// <reference lib="webworker" />
// Medic Scribe's service worker. It precaches the app shell so the app starts offline (and
// recordings can still be made and kept), and never caches, nor touches, /api/ or /ws: those
// responses hold patient data. On a Background Sync it uploads what waits on the device with the
// same queue as the page, so a recording left behind by a closed tab still reaches the server.
// Built by web/vite.config.ts, which fills in the precache list and version.
import { SYNC_TAG, QUEUE_CHANGED } from '../lib/background-sync.ts'
import { openStore } from '../lib/db.ts'
import { UploadQueue } from '../lib/queue.ts'
import { fetchSender } from '../lib/senders.ts'
import { webLocks } from '../lib/tab-locks.ts'

declare const self: ServiceWorkerGlobalScope
declare const __PRECACHE_VERSION__: string
declare const __PRECACHE_URLS__: string[]

const CACHE = `shell-${__PRECACHE_VERSION__}`
const URLS = __PRECACHE_URLS__
const PASS_THROUGH = /^\/(api|ws|health|metrics|transcribe-and-summarize)(\/|$)/
/** Like the page: a token this close to its end would fail mid-upload. */
const SESSION_MARGIN_MS = 30_000

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
        caches.match('/', { cacheName: CACHE }).then((r) => r ?? Response.error())
      )
    )
    return
  }
  if (URLS.includes(url.pathname)) {
    event.respondWith(
      caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit ?? fetch(req))
    )
  }
})

type SyncEvent = ExtendableEvent & { tag: string }

self.addEventListener('sync', (e) => {
  const event = e as SyncEvent
  if (event.tag === SYNC_TAG) event.waitUntil(uploadWaiting())
})

/**
 * One pass over what waits on the device. Rejecting tells the browser to try the sync again
 * later (with its own backoff); without a valid session there is nothing to try until the
 * clinician signs in again, in the app.
 *
 * The worker never renews a token, in either mode: in Supabase mode the refresh token lives in
 * the page's localStorage (which a worker cannot read), and Supabase rotates refresh tokens on use,
 * so a renewal here would sign the page out. The page mirrors each renewed access token into the
 * store; a stale one is either skipped here (past its expiry) or answered 401, and then the
 * recording stays pending, attempts untouched, for the page to upload with a fresh token.
 */
async function uploadWaiting(): Promise<void> {
  const store = await openStore()
  try {
    const session = await store.getSession()
    if (!session || session.expiresAt - SESSION_MARGIN_MS <= Date.now()) return
    const queue = new UploadQueue({
      store,
      send: fetchSender,
      getToken: () => session.token,
      locks: webLocks(self.navigator.locks),
      online: true,
      // One attempt each: the browser, not this worker, decides when to try again.
      setTimer: () => null,
      clearTimer: () => {},
    })
    await queue.skipBackoff()
    await queue.whenIdle()
    queue.stop()
    const clients = await self.clients.matchAll({ type: 'window' })
    for (const c of clients) c.postMessage({ type: QUEUE_CHANGED })
    const left = (await store.list()).filter((r) => r.status === 'pending').length
    if (left > 0) throw new Error(`${left} recording(s) still waiting for the network`)
  } finally {
    store.close()
  }
}
