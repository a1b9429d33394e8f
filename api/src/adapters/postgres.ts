import pg from 'pg'
import type { Database, Queryable } from '../store/database.ts'

// timestamptz and bigint come back as strings from node-postgres by default; the API wants
// Dates for times and numbers for sizes (files stay far below 2^53 bytes).
pg.types.setTypeParser(20, (v) => Number(v))

export async function createPostgresDatabase(url: string, max = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max })
  // An idle connection the server closed (a restart, an admin's termination) is dropped by the
  // pool, which opens a new one for the next query; without a listener its error would end the
  // process. Queries in flight still fail and are handled where they run.
  pool.on('error', () => {})
  const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await client.query(sql, params)
      return (Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows) as T[]
    },
  })
  await pool.query('SELECT 1')
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const out = await fn(wrap(client))
        await client.query('COMMIT')
        return out
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      } finally {
        client.release()
      }
    },
    async listen(channel, handler) {
      // LISTEN needs one dedicated connection; when the server restarts it is reopened, so live
      // events resume without restarting the API (events sent while it was down are not replayed:
      // clients re-read state when their socket reconnects).
      let client: pg.Client | undefined
      let stopped = false
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: url })
        c.on('notification', (msg) => {
          if (msg.channel === channel && msg.payload !== undefined) handler(msg.payload)
        })
        c.on('error', () => reconnect(c))
        c.on('end', () => reconnect(c))
        await c.connect()
        await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
        client = c
      }
      const reconnect = (dead: pg.Client) => {
        if (stopped || client !== dead) return
        client = undefined
        const retry = (delay: number) =>
          setTimeout(() => {
            if (!stopped) connect().catch(() => retry(Math.min(delay * 2, 10_000)))
          }, delay)
        retry(500)
      }
      await connect()
      return async () => {
        stopped = true
        await client?.end().catch(() => {})
      }
    },
    close: () => pool.end(),
  }
}
