import { afterEach, describe, expect, it } from 'vitest'
import { openStore } from './db.ts'
import type { LocalRecording, LocalStore } from './db.ts'
import { UploadQueue, backoffDelay } from './queue.ts'
import { captureLock, inProcessLocks } from './tab-locks.ts'
import type { QueueOptions, SendRequest, SendResult } from './queue.ts'

let dbCount = 0
const stores: LocalStore[] = []
afterEach(() => {
  stores.splice(0).forEach((s) => s.close())
})

async function freshStore(name = `queue-test-${++dbCount}`) {
  const s = await openStore(name)
  stores.push(s)
  return { store: s, name }
}

function rec(id: string, over: Partial<LocalRecording> = {}): LocalRecording {
  return {
    id,
    createdAt: 1,
    status: 'pending',
    template: 'soap',
    language: 'en',
    patientRef: 'P-1',
    sampleRate: 16_000,
    durationMs: 1000,
    bytes: 0,
    chunkCount: 0,
    attempts: 0,
    nextAttemptAt: 0,
    lastError: null,
    ...over,
  }
}

async function withAudio(store: LocalStore, r: LocalRecording) {
  await store.put({ ...r, bytes: 0, chunkCount: 0 })
  await store.appendChunk(r.id, 0, new Int16Array([1, 2, 3, 4]).buffer)
  await store.appendChunk(r.id, 1, new Int16Array([5, 6]).buffer)
}

/** A controllable world: clock, timers and a scripted server. */
function harness(
  store: LocalStore,
  answers: (SendResult | Error | 'hang')[],
  extra: Partial<QueueOptions> = {}
) {
  let t = 1_000_000
  const timers: { at: number; fn: () => void }[] = []
  const sent: SendRequest[] = []
  let token: string | null = 'tok'
  const queue = new UploadQueue({
    store,
    getToken: () => token,
    now: () => t,
    random: () => 0.5,
    setTimer: (fn, ms) => {
      const h = { at: t + ms, fn }
      timers.push(h)
      return h
    },
    clearTimer: (h) => {
      const i = timers.indexOf(h as (typeof timers)[number])
      if (i >= 0) timers.splice(i, 1)
    },
    baseDelayMs: 1000,
    maxDelayMs: 60_000,
    send: async (req) => {
      sent.push(req)
      const a = answers.shift() ?? { status: 202, body: { id: 'srv-x', status: 'queued' } }
      if (a === 'hang') return new Promise(() => {})
      if (a instanceof Error) throw a
      req.onProgress(1)
      return a
    },
    ...extra,
  })
  return {
    queue,
    sent,
    timers,
    setToken: (v: string | null) => (token = v),
    now: () => t,
    /** Moves the clock and fires due timers. */
    async advance(ms: number) {
      t += ms
      for (const h of timers.filter((x) => x.at <= t)) {
        timers.splice(timers.indexOf(h), 1)
        h.fn()
      }
      await queue.whenIdle()
    },
  }
}

const accepted = (id: string): SendResult => ({ status: 202, body: { id, status: 'queued' } })

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter between half and all of it', () => {
    expect(backoffDelay(0, 1000, 60_000, 0)).toBe(500)
    expect(backoffDelay(0, 1000, 60_000, 1)).toBe(1000)
    expect(backoffDelay(3, 1000, 60_000, 0.5)).toBe(6000)
    expect(backoffDelay(20, 1000, 60_000, 1)).toBe(60_000)
    expect(backoffDelay(20, 1000, 60_000, 0)).toBe(30_000)
  })
})

describe('UploadQueue', () => {
  it('uploads a WAV with the local id as Idempotency-Key and deletes it only after the 202', async () => {
    const { store } = await freshStore()
    await withAudio(store, rec('rec-aaaaaaaa'))
    const uploaded: [string, string][] = []
    const h = harness(store, [accepted('srv-1')], { onUploaded: (a, b) => uploaded.push([a, b]) })
    await h.queue.start()
    await h.queue.whenIdle()
    expect(h.sent).toHaveLength(1)
    const req = h.sent[0]!
    expect(req.idempotencyKey).toBe('rec-aaaaaaaa')
    expect(req.token).toBe('tok')
    expect(req.audio.size).toBe(44 + 12)
    expect(await store.get('rec-aaaaaaaa')).toBeUndefined()
    expect(await store.chunks('rec-aaaaaaaa')).toEqual([])
    expect(uploaded).toEqual([['rec-aaaaaaaa', 'srv-1']])
  })

  it('uploads an Opus recording as its container bytes, unwrapped, with its type', async () => {
    const { store } = await freshStore()
    await withAudio(store, rec('rec-opus', { mimeType: 'audio/webm;codecs=opus' }))
    const h = harness(store, [accepted('srv-2')])
    await h.queue.start()
    await h.queue.whenIdle()
    const audio = h.sent[0]!.audio
    expect(audio.size).toBe(12) // the chunks as MediaRecorder wrote them: no WAV header
    expect(audio.type).toBe('audio/webm;codecs=opus')
    expect(await store.get('rec-opus')).toBeUndefined()
  })

  it('retries with backoff on network errors and 5xx, keeping the audio until the 202', async () => {
    const { store } = await freshStore()
    await withAudio(store, rec('rec-bbbbbbbb'))
    const h = harness(store, [
      new Error('offline'),
      { status: 503, body: { error: { code: 'UNAVAILABLE', message: 'retry' } } },
      accepted('srv-2'),
    ])
    await h.queue.start()
    await h.queue.whenIdle()
    expect(h.sent).toHaveLength(1)
    let r = await store.get('rec-bbbbbbbb')
    expect(r?.status).toBe('pending')
    expect(r?.attempts).toBe(1)
    expect(r?.nextAttemptAt).toBe(h.now() + 750) // attempt 0: 1000 ms ceiling, jitter 0.5
    expect(r?.lastError).toBe('the network failed')
    expect((await store.chunks('rec-bbbbbbbb')).length).toBe(2)

    await h.advance(700) // not yet due
    expect(h.sent).toHaveLength(1)
    await h.advance(100)
    expect(h.sent).toHaveLength(2)
    r = await store.get('rec-bbbbbbbb')
    expect(r?.attempts).toBe(2)
    expect(r?.nextAttemptAt).toBe(h.now() + 1500) // attempt 1: 2000 ms ceiling
    expect(r?.lastError).toBe('503: retry')

    await h.advance(1500)
    expect(h.sent).toHaveLength(3)
    expect(h.sent.every((s) => s.idempotencyKey === 'rec-bbbbbbbb')).toBe(true)
    expect(await store.get('rec-bbbbbbbb')).toBeUndefined()
  })

  it('keeps retrying while the server says its audio volume is full (507)', async () => {
    const { store } = await freshStore()
    await withAudio(store, rec('rec-diskfull'))
    const full = {
      error: { code: 'INSUFFICIENT_STORAGE', message: 'the recordings volume is full' },
    }
    const h = harness(store, [{ status: 507, body: full }, accepted('srv-full')])
    await h.queue.start()
    await h.queue.whenIdle()
    const r = await store.get('rec-diskfull')
    expect(r?.status).toBe('pending')
    expect(r?.nextAttemptAt).toBe(h.now() + 750)
    await h.advance(750)
    expect(h.sent).toHaveLength(2)
    expect(await store.get('rec-diskfull')).toBeUndefined()
  })

  it('honours Retry-After', async () => {
    const { store } = await freshStore()
    await withAudio(store, rec('rec-retryaft'))
    const h = harness(store, [{ status: 429, body: null, retryAfterMs: 30_000 }])
    await h.queue.start()
    await h.queue.whenIdle()
    expect((await store.get('rec-retryaft'))?.nextAttemptAt).toBe(h.now() + 30_000)
  })

  it('keeps a refused upload on the device, marked failed, and retries only when asked', async () => {
    const { store } = await freshStore()
    await withAudio(store, rec('rec-cccccccc'))
    const h = harness(store, [
      { status: 400, body: { error: { code: 'BAD_REQUEST', message: 'not audio' } } },
    ])
    await h.queue.start()
    await h.queue.whenIdle()
    await h.advance(10 * 60_000)
    expect(h.sent).toHaveLength(1)
    const r = await store.get('rec-cccccccc')
    expect(r?.status).toBe('failed')
    expect(r?.lastError).toBe('400: not audio')
    expect((await store.chunks('rec-cccccccc')).length).toBe(2)
    expect(h.queue.snapshot.waiting).toBe(0)

    // The network coming back (or a Background Sync) is not the user asking.
    h.queue.setOnline(false)
    h.queue.setOnline(true)
    await h.queue.skipBackoff()
    await h.queue.whenIdle()
    expect(h.sent).toHaveLength(1)
    expect((await store.get('rec-cccccccc'))?.status).toBe('failed')

    await h.queue.retryNow('rec-cccccccc')
    await h.queue.whenIdle()
    expect(h.sent).toHaveLength(2)
    expect(await store.get('rec-cccccccc')).toBeUndefined()
  })

  it('survives a reload: a new queue over the same database resumes an interrupted upload', async () => {
    const { store, name } = await freshStore()
    await withAudio(store, rec('rec-dddddddd', { createdAt: 1 }))
    await withAudio(store, rec('rec-eeeeeeee', { createdAt: 2, status: 'capturing' }))
    const tabLocks = inProcessLocks()
    const releaseCapture = await tabLocks.hold(captureLock('rec-eeeeeeee')) // still recording
    const first = harness(store, ['hang'], { locks: tabLocks })
    await first.queue.start()
    await new Promise((r) => setTimeout(r, 20))
    expect((await store.get('rec-dddddddd'))?.status).toBe('uploading')
    expect((await store.get('rec-eeeeeeee'))?.status).toBe('capturing')
    first.queue.stop()
    releaseCapture()
    store.close() // the tab closes mid-upload and mid-capture

    const { store: reopened } = await freshStore(name)
    const second = harness(reopened, [accepted('srv-d'), accepted('srv-e')])
    await second.queue.start()
    await second.queue.whenIdle()
    expect(second.sent.map((s) => s.idempotencyKey)).toEqual(['rec-dddddddd', 'rec-eeeeeeee'])
    expect(await reopened.list()).toEqual([])
  })

  it('pauses while offline and resumes when the network comes back', async () => {
    const { store } = await freshStore()
    await withAudio(store, rec('rec-ffffffff'))
    await withAudio(store, rec('rec-gggggggg', { createdAt: 2 }))
    const h = harness(store, [])
    h.queue.setOnline(false)
    await h.queue.start()
    await h.queue.whenIdle()
    expect(h.sent).toHaveLength(0)
    expect(h.queue.snapshot).toMatchObject({ online: false, waiting: 2 })

    h.queue.setOnline(true)
    await new Promise((r) => setTimeout(r, 20))
    await h.queue.whenIdle()
    expect(h.sent).toHaveLength(2)
    expect(h.queue.snapshot.waiting).toBe(0)
  })

  it('coming back online skips a backoff meant for the dead network', async () => {
    const { store } = await freshStore()
    await withAudio(
      store,
      rec('rec-hhhhhhhh', { attempts: 8, nextAttemptAt: Number.MAX_SAFE_INTEGER })
    )
    const h = harness(store, [])
    await h.queue.start()
    await h.queue.whenIdle()
    expect(h.sent).toHaveLength(0)
    h.queue.setOnline(true)
    await new Promise((r) => setTimeout(r, 20))
    await h.queue.whenIdle()
    expect(h.sent).toHaveLength(1)
  })

  it('stops on 401 without losing anything, and resumes after a new sign-in', async () => {
    const { store } = await freshStore()
    await withAudio(store, rec('rec-iiiiiiii'))
    let expired = 0
    const h: ReturnType<typeof harness> = harness(store, [{ status: 401, body: null }], {
      onUnauthorized: () => {
        expired++
        h.setToken(null)
      },
    })
    await h.queue.start()
    await h.queue.whenIdle()
    expect(expired).toBe(1)
    const r = await store.get('rec-iiiiiiii')
    expect(r?.status).toBe('pending')
    expect(r?.attempts).toBe(0)
    expect(h.queue.snapshot).toMatchObject({ signedIn: false, waiting: 1 })

    h.setToken('tok2')
    h.queue.kick()
    await h.queue.whenIdle()
    expect(h.sent.at(-1)?.token).toBe('tok2')
    expect(await store.get('rec-iiiiiiii')).toBeUndefined()
  })

  it('after a 401 renews the token once and resends, keeping the recording until the 202', async () => {
    const { store } = await freshStore()
    await withAudio(store, rec('rec-rrrrrrrr'))
    let refreshes = 0
    const h: ReturnType<typeof harness> = harness(store, [{ status: 401, body: null }], {
      refreshToken: async () => {
        refreshes++
        expect(await store.get('rec-rrrrrrrr')).toBeDefined()
        h.setToken('fresh')
        return 'fresh'
      },
    })
    await h.queue.start()
    await h.queue.whenIdle()
    expect(refreshes).toBe(1)
    expect(h.sent.map((s) => s.token)).toEqual(['tok', 'fresh'])
    expect(await store.get('rec-rrrrrrrr')).toBeUndefined()
  })

  it('renews at most once per attempt, and without a renewal (service worker) pauses intact', async () => {
    const { store } = await freshStore()
    await withAudio(store, rec('rec-ssssssss'))
    let refreshes = 0
    let expired = 0
    const h = harness(
      store,
      [
        { status: 401, body: null },
        { status: 401, body: null },
      ],
      {
        refreshToken: async () => (++refreshes === 1 ? 'still-refused' : null),
        onUnauthorized: () => expired++,
      }
    )
    await h.queue.start()
    await h.queue.whenIdle()
    expect(refreshes).toBe(1)
    expect(expired).toBe(1)
    expect(h.sent.map((s) => s.token)).toEqual(['tok', 'still-refused'])
    expect(await store.get('rec-ssssssss')).toMatchObject({ status: 'pending', attempts: 0 })
  })

  it('with two tabs open, uploads each recording once, one tab at a time', async () => {
    const { store, name } = await freshStore()
    const { store: sameDbOtherTab } = await freshStore(name)
    for (const id of ['rec-11111111', 'rec-22222222', 'rec-33333333'])
      await withAudio(store, rec(id, { createdAt: Number(id.at(-1)) }))
    const locks = inProcessLocks() // the origin's Web Locks, seen by both tabs
    let inFlight = 0
    let most = 0
    const sent: string[] = []
    const send: QueueOptions['send'] = async (req) => {
      most = Math.max(most, ++inFlight)
      sent.push(req.idempotencyKey)
      await new Promise((r) => setTimeout(r, 5))
      inFlight--
      return accepted(`srv-${req.idempotencyKey}`)
    }
    const a = harness(store, [], { locks, send })
    const b = harness(sameDbOtherTab, [], { locks, send })
    await Promise.all([a.queue.start(), b.queue.start()])
    await Promise.all([a.queue.whenIdle(), b.queue.whenIdle()])
    expect(most).toBe(1)
    expect(sent.sort()).toEqual(['rec-11111111', 'rec-22222222', 'rec-33333333'])
    expect(await store.list()).toEqual([])
  })

  it("leaves another tab's recording in progress alone, and takes it once that tab is gone", async () => {
    const { store, name } = await freshStore()
    const { store: otherTab } = await freshStore(name)
    await withAudio(store, rec('rec-44444444', { status: 'capturing' }))
    const locks = inProcessLocks()
    const closeRecordingTab = await locks.hold(captureLock('rec-44444444'))
    const h = harness(otherTab, [accepted('srv-4')], { locks })
    await h.queue.start()
    await h.queue.whenIdle()
    expect(h.sent).toEqual([])
    expect((await otherTab.get('rec-44444444'))?.status).toBe('capturing')

    closeRecordingTab() // the browser releases a closed tab's locks
    h.queue.kick()
    await h.queue.whenIdle()
    expect(h.sent.map((s) => s.idempotencyKey)).toEqual(['rec-44444444'])
  })
})
