import pg from 'pg'

/** DATABASE_URL reaches PostgreSQL through something that does not keep a session per client. */
export class DatabaseModeError extends Error {}

const ADVICE =
  'use the direct connection or a session-mode pooler (Supabase: port 5432, not 6543); see RUNBOOK.md#supabase'

/**
 * What the URL alone says. Supabase serves transaction mode on port 6543 of its pooler hosts
 * (and of db.<ref>.supabase.co for the dedicated pooler); `pgbouncer=true` is how Prisma and
 * others mark a transaction-mode URL. Other hosts on 6543 are left to the probe.
 */
export function transactionPoolerHint(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.searchParams.get('pgbouncer') === 'true') return 'the URL says pgbouncer=true'
  const supabaseHost = /(^|\.)supabase\.(co|com)$/i.test(parsed.hostname)
  if (supabaseHost && parsed.port === '6543')
    return `port 6543 of ${parsed.hostname} is Supabase's transaction-mode pooler`
  return undefined
}

/**
 * Tries what the API relies on across two connections, as it uses them: a NOTIFY sent on one
 * reaches a LISTEN held on the other (live events), and a session advisory lock taken on one
 * holds against the other until released. A transaction-mode pooler hands each statement to
 * whichever server connection is free, so the LISTEN and the lock stay behind on a connection
 * nobody is reading. Returns what failed, or undefined when the connection behaves as a session.
 */
export async function probeSessionFeatures(
  url: string,
  { timeoutMs = 2000, checks = ['notify', 'lock'] }: ProbeOptions = {}
): Promise<string | undefined> {
  const tag = crypto.randomUUID().replaceAll('-', '')
  const channel = `scribe_session_probe_${tag.slice(0, 12)}`
  const lockKey = Number.parseInt(tag.slice(0, 8), 16)
  const options = { connectionString: url, connectionTimeoutMillis: 10_000, query_timeout: 10_000 }
  const a = new pg.Client(options)
  const b = new pg.Client(options)
  // Errors of an idle client (a pooler closing it) must not crash the process.
  a.on('error', () => {})
  b.on('error', () => {})
  // Releases only the probe's own key (held at most twice: taken by a, re-taken through a
  // shared pooled connection by b); unlocking everything could free another client's lock on
  // a pooled server connection.
  const end = () =>
    Promise.all(
      [a, b].map(async (c) => {
        for (let i = 0; i < 2; i++)
          await c.query('SELECT pg_advisory_unlock($1)', [lockKey]).catch(() => {})
        await c.end().catch(() => {})
      })
    )
  // A server that cannot be reached is a connection error, reported as such by the caller.
  await Promise.all([a.connect(), b.connect()]).catch(async (err: unknown) => {
    await end()
    throw err
  })
  try {
    if (checks.includes('notify')) {
      const lost = await notifyLost(a, b, channel, tag, timeoutMs)
      if (lost) return lost
    }
    if (checks.includes('lock')) return await lockLost(a, b, lockKey)
    return undefined
  } catch (err) {
    return `the session probe failed: ${err instanceof Error ? err.message : String(err)}`
  } finally {
    await end()
  }
}

export type ProbeOptions = { timeoutMs?: number; checks?: ('notify' | 'lock')[] }

async function notifyLost(
  a: pg.Client,
  b: pg.Client,
  channel: string,
  tag: string,
  timeoutMs: number
): Promise<string | undefined> {
  const arrived = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    a.on('notification', (msg) => {
      if (msg.channel !== channel || msg.payload !== tag) return
      clearTimeout(timer)
      resolve(true)
    })
  })
  await a.query(`LISTEN ${channel}`)
  await b.query('SELECT pg_notify($1, $2)', [channel, tag])
  if (!(await arrived))
    return `a NOTIFY did not reach a LISTEN on another connection within ${timeoutMs} ms`
  return undefined
}

async function lockLost(a: pg.Client, b: pg.Client, lockKey: number) {
  const locked = async (c: pg.Client, sql: string) =>
    (await c.query<{ ok: boolean }>(sql, [lockKey])).rows[0]?.ok === true
  if (!(await locked(a, 'SELECT pg_try_advisory_lock($1) AS ok')))
    return 'a session advisory lock could not be taken'
  const stolen = await locked(b, 'SELECT pg_try_advisory_lock($1) AS ok')
  const released = await locked(a, 'SELECT pg_advisory_unlock($1) AS ok')
  if (stolen || !released) return 'a session advisory lock did not stay with its connection'
  return undefined
}

/** Stops the start with one line when DATABASE_URL cannot carry live events and locks. */
export async function assertSessionMode(url: string, options?: ProbeOptions): Promise<void> {
  const problem = transactionPoolerHint(url) ?? (await probeSessionFeatures(url, options))
  if (problem)
    throw new DatabaseModeError(
      `DATABASE_URL is not a session connection (${problem}): live events and locks would be lost; ${ADVICE}`
    )
}
