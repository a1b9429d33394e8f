// The stores over one SQL handle, built once per handle: the database's are shared by every
// route and job; a transaction gets its own, so the statements that must commit together do.
import { createAuditLog } from './audit.ts'
import type { Database, Queryable } from './database.ts'
import { createJobStore } from './jobs.ts'
import { createNoteStore } from './notes.ts'
import { createRecordingStore } from './recordings.ts'
import { createTemplateStore } from './templates.ts'
import { createUserStore } from './users.ts'
import { createWorkerStore } from './workers.ts'

export function createStores(q: Queryable) {
  return {
    users: createUserStore(q),
    recordings: createRecordingStore(q),
    jobs: createJobStore(q),
    notes: createNoteStore(q),
    templates: createTemplateStore(q),
    workers: createWorkerStore(q),
    audit: createAuditLog(q),
  }
}
export type Stores = ReturnType<typeof createStores>

const built = new WeakMap<Queryable, Stores>()

/** The stores of a handle (a database or a transaction), made on first use and then reused. */
export function storesOf(q: Queryable): Stores {
  let stores = built.get(q)
  if (!stores) {
    stores = createStores(q)
    built.set(q, stores)
  }
  return stores
}

/**
 * Runs `fn` in one transaction with stores bound to it; `tx` is there for what else must commit
 * with them (an event published with pg_notify).
 */
export function inTransaction<T>(
  db: Database,
  fn: (stores: Stores, tx: Queryable) => Promise<T>
): Promise<T> {
  return db.transaction((tx) => fn(storesOf(tx), tx))
}
