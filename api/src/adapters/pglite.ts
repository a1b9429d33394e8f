import { PGlite } from '@electric-sql/pglite'
import { mkdir } from 'node:fs/promises'
import type { Database, Queryable } from '../store/database.ts'

/** Embedded PostgreSQL (WASM) in a data folder; `undefined` dataDir keeps it in memory for tests. */
export async function createPgliteDatabase(dataDir?: string): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true })
  const pg = await PGlite.create(dataDir ? { dataDir } : {})
  const run = (q: {
    query: PGlite['query'] | ((s: string, p?: unknown[]) => Promise<{ rows: unknown[] }>)
    exec: PGlite['exec']
  }): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      // exec handles several statements (migrations); query handles parameters.
      if (params.length === 0 && sql.includes(';')) {
        const results = await q.exec(sql)
        return (results.at(-1)?.rows ?? []) as T[]
      }
      const result = await q.query(sql, params)
      return result.rows as T[]
    },
  })
  return {
    kind: 'pglite',
    ...run(pg),
    transaction: (fn) => pg.transaction((tx) => fn(run(tx as never))),
    async listen(channel, handler) {
      const unsub = await pg.listen(channel, handler)
      return async () => unsub()
    },
    close: () => pg.close(),
  }
}
