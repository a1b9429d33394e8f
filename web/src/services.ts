// The app's long-lived pieces, made once: the device store, the upload queue, the recorder and
// the live connection, plus hooks that let screens follow them.
import { useEffect, useState, useSyncExternalStore } from 'react'
import { auth } from './lib/auth.ts'
import type { AuthState } from './lib/auth.ts'
import { openStore } from './lib/db.ts'
import type { LocalStore } from './lib/db.ts'
import { LiveConnection } from './lib/live.ts'
import type { LiveState } from './lib/live.ts'
import { UploadQueue } from './lib/queue.ts'
import type { QueueSnapshot } from './lib/queue.ts'
import { Recorder } from './lib/recorder.ts'
import { tabLocks } from './lib/tab-locks.ts'
import type { LiveEvent } from './lib/types.ts'
import { xhrSender } from './lib/senders.ts'
import { QUEUE_CHANGED, requestBackgroundUpload } from './lib/background-sync.ts'
import { opusRecordingAllowed } from './lib/public-config.ts'
import { WAV, chooseRecordingFormat } from './lib/recording-format.ts'

export type Services = { store: LocalStore; queue: UploadQueue; recorder: Recorder }

let services: Promise<Services> | null = null
const liveListeners = new Set<(e: LiveEvent) => void>()
/** A module-level value that components follow with useSyncExternalStore. */
function watched<T>(initial: T) {
  let value = initial
  const listeners = new Set<() => void>()
  const subscribe = (fn: () => void) => {
    listeners.add(fn)
    return () => void listeners.delete(fn)
  }
  return {
    set(next: T) {
      value = next
      listeners.forEach((l) => l())
    },
    subscribe,
    get: () => value,
  }
}

const liveState = watched<LiveState>('closed')
/** True while an open tab of an older version keeps this one from opening the device store. */
const storageBlocked = watched(false)

export const live = new LiveConnection({
  token: () => auth.getAccessToken(),
  onEvent: (e) => liveListeners.forEach((l) => l(e)),
  onState: (s) => {
    liveState.set(s)
  },
})

export function getServices(): Promise<Services> {
  services ??= (async () => {
    const store = await openStore(undefined, undefined, () => {
      storageBlocked.set(true)
    })
    // Ask the browser not to evict recordings under storage pressure (best effort).
    void navigator.storage?.persist?.().catch(() => false)
    const locks = tabLocks()
    const queue = new UploadQueue({
      store,
      locks,
      send: xhrSender,
      getToken: () => auth.getAccessToken(),
      refreshToken: () => auth.refresh(),
      onUnauthorized: () => auth.expire(),
      online: navigator.onLine,
    })
    // Opus where the browser records it and the server's engine takes it whole (recording-format.ts).
    const recorder = new Recorder(store, locks, () =>
      opusRecordingAllowed() ? chooseRecordingFormat() : WAV
    )
    window.addEventListener('online', () => {
      queue.setOnline(true)
      live.restart()
    })
    window.addEventListener('offline', () => queue.setOnline(false))
    // The service worker uploads with no tab open, so it needs the session and to be asked.
    const mirrorSession = (s: AuthState) =>
      store
        .setSession(
          s.kind === 'signed-in' ? { token: s.session.token, expiresAt: s.session.expiresAt } : null
        )
        .catch(() => {})
    void mirrorSession(auth.state)
    let waiting = 0
    queue.subscribe((snap) => {
      if (snap.waiting > 0 && snap.waiting !== waiting) void requestBackgroundUpload()
      waiting = snap.waiting
    })
    navigator.serviceWorker?.addEventListener('message', (e: MessageEvent<{ type?: string }>) => {
      if (e.data?.type === QUEUE_CHANGED) void queue.publish()
    })
    let wasSignedIn = auth.state.kind === 'signed-in'
    auth.subscribe((s) => {
      void mirrorSession(s)
      const signedIn = s.kind === 'signed-in'
      if (signedIn) {
        queue.kick()
        // A renewed token (Supabase, hourly) leaves the open socket be; the next connect uses it.
        if (!wasSignedIn) live.restart()
        wasSignedIn = true
      } else {
        wasSignedIn = false
        live.stop()
        void queue.publish()
      }
    })
    await queue.start()
    if (auth.token()) live.start()
    return { store, queue, recorder }
  })()
  return services
}

export function useStorageBlocked(): boolean {
  return useSyncExternalStore(storageBlocked.subscribe, storageBlocked.get)
}

export function useServices(): Services | null {
  const [s, setS] = useState<Services | null>(null)
  useEffect(() => {
    let alive = true
    void getServices().then((v) => alive && setS(v))
    return () => {
      alive = false
    }
  }, [])
  return s
}

export function useAuth(): AuthState {
  return useSyncExternalStore(auth.subscribe, () => auth.state)
}

export function useQueue(queue: UploadQueue | undefined): QueueSnapshot | null {
  const [snap, setSnap] = useState<QueueSnapshot | null>(null)
  useEffect(() => queue?.subscribe(setSnap), [queue])
  return snap
}

export function useLiveEvents(fn: (e: LiveEvent) => void) {
  useEffect(() => {
    liveListeners.add(fn)
    return () => {
      liveListeners.delete(fn)
    }
  }, [fn])
}

export function useLiveState(): LiveState {
  return useSyncExternalStore(liveState.subscribe, liveState.get)
}
