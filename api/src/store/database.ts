// The one SQL surface the store needs; implemented by PGlite (embedded) and node-postgres.
export type Row = Record<string, unknown>

export interface Queryable {
  query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite'
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /** LISTEN on a channel; events published with pg_notify inside a transaction arrive after commit. */
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}
