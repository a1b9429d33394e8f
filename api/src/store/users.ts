import type { Queryable } from './database.ts'

export type Role = 'clinician' | 'admin'
export type User = {
  id: string
  email: string
  password_hash: string | null
  source: string
  role: Role
}
const COLUMNS = 'id, email, password_hash, source, role'

export function createUserStore(db: Queryable) {
  return {
    async byEmail(email: string): Promise<User | undefined> {
      const rows = await db.query<User>(`SELECT ${COLUMNS} FROM users WHERE email = $1`, [
        email.toLowerCase(),
      ])
      return rows[0]
    },
    async byId(id: string): Promise<User | undefined> {
      const rows = await db.query<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id])
      return rows[0]
    },
    /** Creates or updates a local account; returns whether it was new. */
    async upsertLocal(
      id: string,
      email: string,
      passwordHash: string
    ): Promise<{ id: string; created: boolean }> {
      const rows = await db.query<{ id: string; created: boolean }>(
        `INSERT INTO users (id, email, password_hash, source) VALUES ($1, $2, $3, 'local')
         ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash
         RETURNING id, (xmax = 0) AS created`,
        [id, email.toLowerCase(), passwordHash]
      )
      return rows[0]!
    },
    /** Supabase users are created on first sight of a valid token, keyed by the token's subject. */
    /** False when the email is already held by another account (the row is then not written). */
    async ensureExternal(id: string, email: string): Promise<boolean> {
      await db.query(
        `INSERT INTO users (id, email, source) VALUES ($1, $2, 'supabase') ON CONFLICT DO NOTHING`,
        [id, email.toLowerCase()]
      )
      return (await db.query('SELECT 1 FROM users WHERE id = $1', [id])).length === 1
    },
    /** The account's role, read on every admin request: undefined when there is no such row. */
    async roleOf(id: string): Promise<Role | undefined> {
      const rows = await db.query<{ role: Role }>('SELECT role FROM users WHERE id = $1', [id])
      return rows[0]?.role
    },
    /** False when no account has this email. */
    async setRole(email: string, role: Role): Promise<boolean> {
      const rows = await db.query('UPDATE users SET role = $2 WHERE email = $1 RETURNING id', [
        email.toLowerCase(),
        role,
      ])
      return rows.length === 1
    },
    async count(): Promise<number> {
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')
      return rows[0]?.n ?? 0
    },
  }
}
export type UserStore = ReturnType<typeof createUserStore>
