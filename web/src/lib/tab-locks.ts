// Web Locks coordinate the app's open tabs: one tab uploads at a time, and a recording being
// captured in one tab is never mistaken by another for one a closed tab left behind. A lock is
// released by the browser when its tab closes or crashes, which is what makes it trustworthy.

export const UPLOAD_LOCK = 'medic-scribe:upload'
export const captureLock = (recordingId: string) => `medic-scribe:capture:${recordingId}`

export type TabLocks = {
  /** Runs `fn` holding the exclusive lock `name`, after waiting for any other holder. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>
  /** Takes `name` and keeps it until the returned function is called. */
  hold(name: string): Promise<() => void>
  /** The names held right now, by any tab. */
  held(): Promise<Set<string>>
}

/** Locks within one page: the fallback where Web Locks are missing, and two "tabs" in tests. */
export function inProcessLocks(): TabLocks {
  const tails = new Map<string, Promise<void>>()
  const holding = new Map<string, number>()
  const acquire = async (name: string): Promise<() => void> => {
    const before = tails.get(name) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((r) => (release = r))
    tails.set(name, mine)
    await before
    holding.set(name, (holding.get(name) ?? 0) + 1)
    let done = false
    return () => {
      if (done) return
      done = true
      const n = (holding.get(name) ?? 1) - 1
      if (n === 0) holding.delete(name)
      else holding.set(name, n)
      if (tails.get(name) === mine) tails.delete(name)
      release()
    }
  }
  return {
    async exclusive(name, fn) {
      const release = await acquire(name)
      try {
        return await fn()
      } finally {
        release()
      }
    },
    hold: acquire,
    held: async () => new Set(holding.keys()),
  }
}

/** The browser's Web Locks, shared by every tab of the origin. */
export function webLocks(locks: LockManager): TabLocks {
  return {
    exclusive: (name, fn) => locks.request(name, fn),
    hold: (name) =>
      new Promise((taken, refused) => {
        locks.request(name, () => new Promise<void>((release) => taken(release))).catch(refused)
      }),
    held: async () => new Set(((await locks.query()).held ?? []).map((l) => l.name ?? '')),
  }
}

export function tabLocks(): TabLocks {
  return typeof navigator !== 'undefined' && navigator.locks
    ? webLocks(navigator.locks)
    : inProcessLocks()
}
