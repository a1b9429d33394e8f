// Background Sync: when recordings wait for the network, the browser is asked to wake the
// service worker once it is back, so they upload even if every tab of the app has been closed.
export const SYNC_TAG = 'medic-scribe-upload'

/** The service worker tells open tabs that it changed the device's queue. */
export const QUEUE_CHANGED = 'medic-scribe:queue-changed'

type SyncRegistration = ServiceWorkerRegistration & {
  sync?: { register(tag: string): Promise<void> }
}

/** Best effort: browsers without Background Sync upload when the app is next opened. */
export async function requestBackgroundUpload(): Promise<boolean> {
  try {
    const reg = (await navigator.serviceWorker?.getRegistration()) as SyncRegistration | undefined
    if (!reg?.sync || !reg.active) return false
    await reg.sync.register(SYNC_TAG)
    return true
  } catch {
    return false
  }
}
