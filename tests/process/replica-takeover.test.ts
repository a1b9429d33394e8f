// Two API replicas share one PostgreSQL queue and one data folder, as the stack runs them during a
// deploy. Replica A is killed while it holds jobs and does not come back: replica B must release
// and finish them on its own, with the default 300 s lease, long before that lease expires.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { consultationWav } from '../support/audio.ts'
import { startFakeSttServer } from '../support/fake-stt-server.ts'
import type { FakeSttServer } from '../support/fake-stt-server.ts'
import { startPostgres } from '../support/postgres-server.ts'
import type { StartedPostgres } from '../support/postgres-server.ts'
import { createUser, sleep, startApi } from '../support/api-process.ts'
import type { ApiProcess } from '../support/api-process.ts'

const EMAIL = 'replica@example.org'
const PASSWORD = 'correct-horse-battery-staple'
const RESUME_LIMIT_MS = 30_000

describe('a replica takes over the jobs of one that died', () => {
  let dataDir: string
  let pg: StartedPostgres
  let stt: FakeSttServer
  const apis: ApiProcess[] = []

  beforeAll(async () => {
    ;[dataDir, pg, stt] = await Promise.all([
      mkdtemp(join(tmpdir(), 'scribe-replicas-')),
      startPostgres(),
      startFakeSttServer(),
    ])
    expect(await createUser(dataDir, EMAIL, PASSWORD, { DATABASE_URL: pg.url })).toContain(
      'created account'
    )
  }, 90_000)

  afterAll(async () => {
    await Promise.all(apis.map((a) => a.kill('SIGKILL')))
    await stt?.close()
    await pg?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  const start = async (workerId: string) => {
    const api = await startApi({
      dataDir,
      sttBaseUrl: stt.baseUrl,
      label: workerId,
      // Defaults for the lease and the heartbeat; only the identity is set, since both replicas
      // run on this one host (in the stack each container's host name tells them apart).
      env: {
        DATABASE_URL: pg.url,
        WORKER_ID: workerId,
        JOB_LEASE_SECONDS: '300',
        WORKER_CONCURRENCY: '2',
        TMP_STALE_SECONDS: '300',
      },
    })
    apis.push(api)
    return api
  }

  it('should resume the dead replica’s jobs on the other one within 30 s', async () => {
    const wav = await consultationWav()
    stt.delayMs = 120_000
    const a = await start('replica-a')
    const token = await a.login(EMAIL, PASSWORD)
    const ids: string[] = []
    for (const name of ['r1', 'r2']) {
      const res = await a.upload(token, wav, {}, { filename: `${name}.wav` })
      expect(res.status).toBe(202)
      ids.push(((await res.json()) as { id: string }).id)
    }
    // Both jobs are held by A (its calls are in flight) before B exists.
    await stt.whenRequests(2)
    const b = await start('replica-b')
    stt.delayMs = 200

    await a.kill('SIGKILL')
    const killedAt = Date.now()
    const resumedAt = await waitFor(
      () => {
        const again = ['r1.wav', 'r2.wav'].map((f) =>
          stt.log.find((r) => r.file?.filename === f && r.receivedAt > killedAt)
        )
        return again.every(Boolean) ? Math.max(...again.map((r) => r!.receivedAt)) : undefined
      },
      RESUME_LIMIT_MS + 5_000,
      'replica B to send the interrupted calls again'
    )
    const released = await b.waitFor(
      (l) => l.msg === 'released the jobs of workers that stopped',
      5_000,
      'the release log line'
    )
    for (const id of ids) {
      const rec = await waitFor(
        async () => {
          const r = await b.getJson<{ status: string; note_id: string | null }>(
            token,
            `/api/recordings/${id}`
          )
          return r.status === 'done' ? r : undefined
        },
        20_000,
        `recording ${id} to be done on replica B`
      )
      expect(rec.note_id).toBeTruthy()
    }
    const resumeMs = resumedAt - killedAt
    console.log(
      `replica-a killed holding 2 jobs (lease 300 s); replica-b sent them to STT again after ` +
        `${(resumeMs / 1000).toFixed(1)} s and finished both; release: ${JSON.stringify(released.released)}`
    )
    expect(resumeMs).toBeLessThan(RESUME_LIMIT_MS)
    expect(JSON.stringify(released.released)).toContain('replica-a')
  }, 120_000)
})

async function waitFor<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(100)
  }
}
