import { Client } from 'pg'
import { describe, expect, it } from 'vitest'
import { usePostgresBehindPgBouncer } from '../support/pgbouncer.ts'
import {
  DatabaseModeError,
  probeSessionFeatures,
  transactionPoolerHint,
} from '../../api/src/adapters/postgres-session.ts'
import { openDatabase } from '../../api/src/adapters/runtime.ts'
import { parseConfig } from '../../api/src/config.ts'

describe('transactionPoolerHint', () => {
  it.each([
    ['postgres://u:p@aws-0-eu-central-1.pooler.supabase.com:6543/postgres', /port 6543/],
    ['postgres://u:p@db.abcdefgh.supabase.co:6543/postgres', /port 6543/],
    ['postgres://u:p@db.example.org:5432/app?pgbouncer=true', /pgbouncer=true/],
  ])('should name the transaction pooler in %s', (url, reason) => {
    expect(transactionPoolerHint(url)).toMatch(reason)
  })

  it.each([
    'postgres://u:p@aws-0-eu-central-1.pooler.supabase.com:5432/postgres',
    'postgres://u:p@db.abcdefgh.supabase.co:5432/postgres',
    'postgres://u:p@127.0.0.1:6543/postgres',
    'postgres://u:p@db.example.org/app?sslmode=require',
  ])('should leave %s to the probe', (url) => {
    expect(transactionPoolerHint(url)).toBeUndefined()
  })
})

// The probe against the real thing: PostgreSQL directly, and PgBouncer in front of it in each
// pool mode (PgBouncer and Supabase's Supavisor share the transaction-mode semantics).
describe('probeSessionFeatures', { timeout: 60_000 }, () => {
  const servers = usePostgresBehindPgBouncer()

  it('should pass a direct connection', async () => {
    expect(await probeSessionFeatures(servers.url)).toBeUndefined()
  })

  it('should pass a session-mode pooler', async () => {
    expect(await probeSessionFeatures(servers.bouncer.sessionUrl)).toBeUndefined()
  })

  it('should catch a transaction-mode pooler losing a NOTIFY', async () => {
    expect(await probeSessionFeatures(servers.bouncer.transactionUrl, { timeoutMs: 500 })).toMatch(
      /NOTIFY did not reach a LISTEN/
    )
  })

  it('should catch a transaction-mode pooler losing a session advisory lock', async () => {
    for (let i = 0; i < 3; i++) {
      expect(
        await probeSessionFeatures(servers.bouncer.transactionUrl, { checks: ['lock'] })
      ).toMatch(/advisory lock did not stay with its connection/)
    }
    // The probe left no lock behind on the pooled server connections.
    const admin = new Client({ connectionString: servers.url })
    await admin.connect()
    const { rows } = await admin.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory'")
    await admin.end()
    expect(rows).toEqual([])
  })

  it('should stop the start with one line naming the fix when DATABASE_URL is one', async () => {
    const config = parseConfig({ DATABASE_URL: servers.bouncer.transactionUrl })
    const err: unknown = await openDatabase(config).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(DatabaseModeError)
    const message = (err as Error).message
    expect(message).not.toContain('\n')
    expect(message).toMatch(/^DATABASE_URL is not a session connection \(.*NOTIFY/)
    expect(message).toMatch(/port 5432, not 6543.*RUNBOOK\.md#supabase/)
  })

  it('should open a direct connection normally', async () => {
    const db = await openDatabase(parseConfig({ DATABASE_URL: servers.url }))
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
    await db.close()
  })

  it('should report an unreachable server as a connection error, not a pooler', async () => {
    await expect(probeSessionFeatures('postgres://scribe@127.0.0.1:9/postgres')).rejects.toThrow(
      /ECONNREFUSED/
    )
  })
})
