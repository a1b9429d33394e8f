// The API refuses, at start and in one line, a DATABASE_URL that is a transaction-mode pooler
// (here PgBouncer in transaction mode in front of a real PostgreSQL), and starts normally
// through the same pooler in session mode.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPostgres } from '../support/postgres-server.ts'
import type { StartedPostgres } from '../support/postgres-server.ts'
import { startPgBouncer } from '../support/pgbouncer.ts'
import type { StartedPgBouncer } from '../support/pgbouncer.ts'
import { ROOT, TEST_JWT_SECRET, startApi } from '../support/api-process.ts'

describe('API start on a pooled database', () => {
  let pg: StartedPostgres
  let bouncer: StartedPgBouncer
  let dataDir: string
  beforeAll(async () => {
    pg = await startPostgres()
    bouncer = await startPgBouncer(pg.url)
    dataDir = await mkdtemp(join(tmpdir(), 'scribe-dbmode-'))
  })
  afterAll(async () => {
    await bouncer?.stop()
    await pg?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('should exit 1 with one line naming the fix behind a transaction pooler', async () => {
    const env = {
      PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'test',
      NO_COLOR: '1',
      DATA_DIR: dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: bouncer.transactionUrl,
    }
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        join(ROOT, 'node_modules/.bin/node'),
        ['--import', 'tsx', 'api/src/node.ts'],
        { cwd: ROOT, env, timeout: 60_000 },
        (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr })
      )
    })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(
      /^DATABASE_URL is not a session connection \(a NOTIFY did not reach a LISTEN.*port 5432, not 6543/
    )
  })

  it('should start through the same pooler in session mode', async () => {
    const api = await startApi({ dataDir, env: { DATABASE_URL: bouncer.sessionUrl } })
    try {
      const res = await fetch(`${api.baseUrl}/api/config`)
      expect(await res.json()).toMatchObject({ auth: { mode: 'local' } })
    } finally {
      await api.stop()
    }
  })
})
