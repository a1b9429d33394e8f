import type { Database, Queryable } from '../store/database.ts'
import type { Logger } from '../lib/logger.ts'
import type { RecordingEvent } from '../contract/live.ts'

/** What the hub carries is what the socket pushes: the contract's recording event. */
export type ScribeEvent = RecordingEvent

const CHANNEL = 'scribe_events'

type Listener = (event: ScribeEvent) => void

/**
 * Events go through PostgreSQL NOTIFY inside the transaction that changes the state, so they
 * are delivered only after commit, and reach sockets held by any replica of the API.
 */
export function createEventHub(db: Database, logger: Logger) {
  const listeners = new Map<string, Set<Listener>>()
  let stop: (() => Promise<void>) | undefined

  const deliver = (payload: string) => {
    let event: ScribeEvent
    try {
      event = JSON.parse(payload) as ScribeEvent
    } catch {
      return logger.warn('dropped a malformed event', { payload: payload.slice(0, 200) })
    }
    for (const fn of listeners.get(event.user_id) ?? []) fn(event)
  }

  return {
    async start() {
      stop = await db.listen(CHANNEL, deliver)
    },
    async close() {
      await stop?.()
      listeners.clear()
    },
    /** Call inside the transaction that commits the change the event announces. */
    async publish(tx: Queryable, event: Omit<ScribeEvent, 'at'>) {
      const full: ScribeEvent = { ...event, at: new Date().toISOString() }
      await tx.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(full)])
    },
    subscribe(userId: string, fn: Listener): () => void {
      let set = listeners.get(userId)
      if (!set) listeners.set(userId, (set = new Set()))
      set.add(fn)
      return () => {
        set.delete(fn)
        if (set.size === 0) listeners.delete(userId)
      }
    },
    connections(): number {
      let n = 0
      for (const s of listeners.values()) n += s.size
      return n
    },
  }
}
export type EventHub = ReturnType<typeof createEventHub>
