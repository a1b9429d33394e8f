import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'
import {
  createRequestRecorder,
  deepgramListen,
  sdkProbeHandlers,
} from '../support/provider-mocks.ts'
import type { RequestRecorder } from '../support/provider-mocks.ts'
import { createDeepgramStt } from '../../api/src/providers/stt/deepgram.ts'

// The pipeline with the real Deepgram provider, its HTTP answered by msw: what the queue does
// when the provider fails in each of the ways it really fails.
const server = setupServer(...sdkProbeHandlers)
let recorder: RequestRecorder
let dg: ReturnType<typeof deepgramListen>

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition'
) {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('jobs: provider failures', () => {
  let h: Harness
  let doc: Awaited<ReturnType<Harness['addUser']>>
  let wav: Uint8Array

  beforeAll(async () => {
    wav = await consultationWav()
  })

  async function start(worker = {}) {
    recorder = createRequestRecorder()
    dg = deepgramListen({ recorder })
    server.resetHandlers(...sdkProbeHandlers, dg.success())
    h = await createHarness({
      stt: createDeepgramStt({ apiKey: 'dg-test-key', timeoutMs: 500 }),
      worker,
    })
    doc = await h.addUser('doc@example.org')
  }
  afterEach(async () => {
    await h.close()
  })

  const uploadOne = async () =>
    ((await (await h.upload(doc.token, wav)).json()) as { id: string }).id
  const status = async (id: string) =>
    (await (await h.request(`/api/recordings/${id}`, { headers: doc.auth })).json()) as {
      status: string
      reason: string | null
      detail: string | null
    }
  const health = async () =>
    (await (await h.request('/health')).json()) as { providers: { circuits: { stt: string } } }

  it('should retry after a 500 and finish the note', async () => {
    await start()
    server.use(dg.serverError())
    const id = await uploadOne()
    await until(() => recorder.requests.length >= 2, 5_000, 'two failed calls')
    server.resetHandlers(...sdkProbeHandlers, dg.success())
    const done = await h.settle(doc.token, id)
    expect(done.status).toBe('done')
    const [job] = await h.db.query<{ attempts: number }>(
      'SELECT attempts FROM jobs WHERE recording_id = $1',
      [id]
    )
    expect(job!.attempts).toBeGreaterThanOrEqual(3)
  })

  it('should wait at least as long as a 429 retry-after says', async () => {
    await start()
    server.use(dg.rateLimited('1'))
    const id = await uploadOne()
    await until(() => recorder.requests.length >= 1, 5_000, 'the rate-limited call')
    server.resetHandlers(...sdkProbeHandlers, dg.success())
    await h.settle(doc.token, id)
    expect(recorder.requests.length).toBe(2)
    // Measured between the two calls as the mock saw them, not from when this test noticed the
    // first: a busy machine notices late, which used to make the wait look shorter than it was.
    const [limited, retried] = recorder.requests
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(1_000)
  })

  it('should keep jobs waiting, not failed, while the API key is rejected, and finish once it is fixed', async () => {
    await start()
    server.use(dg.unauthorized())
    const id = await uploadOne()
    await until(() => recorder.requests.length >= 3, 5_000, 'three 401s')
    const waiting = await status(id)
    expect(['queued', 'transcribing']).toContain(waiting.status)
    expect(waiting.detail).toMatch(/^retrying: deepgram rejected the API key \(401\)/)
    server.resetHandlers(...sdkProbeHandlers, dg.success())
    expect((await h.settle(doc.token, id)).status).toBe('done')
  })

  it('should open the circuit after repeated failures, stop calling, then close it after a successful trial', async () => {
    await start({ circuitOpenMs: 1_500 })
    server.use(dg.networkError())
    const ids = [await uploadOne(), await uploadOne()]
    await until(
      async () => (await health()).providers.circuits.stt === 'open',
      8_000,
      'the circuit to open'
    )
    const callsWhenOpened = recorder.requests.length
    expect(callsWhenOpened).toBe(5)
    await new Promise((r) => setTimeout(r, 800))
    expect(recorder.requests.length).toBe(callsWhenOpened)
    for (const id of ids) expect((await status(id)).status).not.toBe('failed')

    const metrics = await (await h.request('/metrics')).text()
    expect(metrics).toMatch(/scribe_provider_circuit_open\{provider="deepgram"\} 1/)

    server.resetHandlers(...sdkProbeHandlers, dg.success())
    for (const id of ids) expect((await h.settle(doc.token, id)).status).toBe('done')
    expect((await health()).providers.circuits.stt).toBe('closed')
  })

  it('should bring every recording of an outage to exactly one note once the provider is back', async () => {
    await start({ circuitOpenMs: 300 })
    server.use(dg.serverError(503))
    const ids: string[] = []
    for (let i = 0; i < 8; i++) ids.push(await uploadOne())
    await until(() => recorder.requests.length >= 10, 8_000, 'the outage to be felt')
    for (const id of ids) expect((await status(id)).status).not.toBe('failed')
    server.resetHandlers(...sdkProbeHandlers, dg.success())
    for (const id of ids) expect((await h.settle(doc.token, id, 20_000)).status).toBe('done')
    const rows = await h.db.query<{ recording_id: string; n: number }>(
      'SELECT recording_id, count(*)::int AS n FROM notes GROUP BY recording_id'
    )
    expect(rows.map((r) => r.recording_id).sort()).toEqual([...ids].sort())
    expect(rows.every((r) => r.n === 1)).toBe(true)
  })

  it('should fail a recording with a clear reason when the provider keeps answering nonsense', async () => {
    await start()
    server.use(dg.malformed())
    const id = await uploadOne()
    const end = await h.settle(doc.token, id)
    expect(end.status).toBe('failed')
    expect(end.reason).toMatch(/malformed/)
    expect(recorder.requests.length).toBe(3)
  })

  it('should fail a recording whose audio was damaged on disk, naming the cause', async () => {
    // Retries a second apart: the damage lands between two attempts, never between an attempt's
    // read of the file (which checks its hash) and its call to the provider.
    await start({ backoff: { baseMs: 1_000, capMs: 1_000 } })
    server.use(dg.networkError())
    const id = await uploadOne()
    await until(() => recorder.requests.length >= 1, 10_000, 'the first, failing attempt')
    const [rec] = await h.db.query<{ audio_path: string }>(
      'SELECT audio_path FROM recordings WHERE id = $1',
      [id]
    )
    await h.files.writeAtomic('audio', rec!.audio_path, new Uint8Array([1, 2, 3]))
    server.resetHandlers(...sdkProbeHandlers, dg.success())
    const end = await h.settle(doc.token, id)
    expect(end.status).toBe('failed')
    expect(end.reason).toMatch(/missing or damaged/)
  })

  it('should show why a recording waits when no speech-to-text provider is configured', async () => {
    h = await createHarness({ stt: 'none' })
    doc = await h.addUser('doc@example.org')
    const id = await uploadOne()
    await new Promise((r) => setTimeout(r, 200))
    const waiting = await status(id)
    expect(waiting.status).toBe('queued')
    expect(waiting.detail).toBe('waiting: no speech-to-text provider is configured')
  })
})
