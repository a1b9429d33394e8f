import { PGlite } from '@electric-sql/pglite'
import { mkdir } from 'node:fs/promises'
import type { Database, Queryable } from '../store/database.ts'

/**
 * Embedded PostgreSQL (WASM) in a data folder; `undefined` dataDir keeps it in memory (tests),
 * started from `loadDataDir` (a `dumpDataDir()` tarball) when given instead of a new initdb.
 */
export async function createPgliteDatabase(
  dataDir?: string,
  opts: { loadDataDir?: Blob } = {}
): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true })
  const pg = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
  })
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
