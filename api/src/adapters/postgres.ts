import pg from 'pg'
import type { Database, Queryable } from '../store/database.ts'

// timestamptz and bigint come back as strings from node-postgres by default; the API wants
// Dates for times and numbers for sizes (files stay far below 2^53 bytes).
pg.types.setTypeParser(20, (v) => Number(v))

export async function createPostgresDatabase(url: string, max = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max })
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
      // LISTEN needs one dedicated connection for as long as we listen.
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      client.on('notification', (msg) => {
        if (msg.channel === channel && msg.payload !== undefined) handler(msg.payload)
      })
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
      return async () => {
        await client.end().catch(() => {})
      }
    },
    close: () => pool.end(),
  }
}
