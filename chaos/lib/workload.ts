// The realistic load a drill keeps running while its fault is in: uploads arriving about once
// a second (each with its Idempotency-Key and client retries), a clinician's note list read
// twice a second, and a WebSocket listening for note.ready. Every loop is bounded in count and time.
import type { Target } from './target.ts'
import type { UploadOptions, UploadRecord } from './upload.ts'
import { newRecord, uniqueAudio, uploadWithRetries } from './upload.ts'

export type Reads = { ok: number; refusedClean: number; unclean: string[]; errors: number }

export type Workload = {
  records: UploadRecord[]
  reads: Reads
  /** note.ready events the socket saw, by recording id. */
  noteReady: Set<string>
  socketReconnects: number
  /**
   * One upload, tracked with the others (drills use it for a slow upload, probes for theirs);
   * `via`: another way to the edge (a drill's faulty link).
   */
  upload: (opts?: UploadOptions & { via?: Target }) => Promise<UploadRecord>
  /** When a request (upload attempt or read) was first seen failing at or after `t`, if any. */
  firstFailureAfter: (t: number) => number | undefined
  startTraffic: () => void
  stopTraffic: () => Promise<void>
}

// About one upload every 1.5 s, at most 25 per drill: enough to have uploads in flight when
// the fault lands, few enough that the queue does not hide the recovery time.
const MAX_UPLOADS = 25
const MAX_IN_FLIGHT = 3

export function createWorkload(target: Target, token: string, audio: Uint8Array): Workload {
  const records: UploadRecord[] = []
  const reads: Reads = { ok: 0, refusedClean: 0, unclean: [], errors: 0 }
  const readFailures: number[] = []
  const noteReady = new Set<string>()
  const pending = new Set<Promise<unknown>>()
  let running = false
  let loops: Promise<unknown>[] = []
  let socketReconnects = 0
  let closeSocket: (() => void) | undefined

  const track = <T>(p: Promise<T>) => {
    pending.add(p)
    void p.finally(() => pending.delete(p)).catch(() => {})
    return p
  }

  function upload(opts: UploadOptions & { via?: Target } = {}) {
    const bytes = uniqueAudio(audio, opts.padTo)
    const record = newRecord(bytes, opts.origin ?? 'workload')
    records.push(record)
    return track(uploadWithRetries(opts.via ?? target, token, bytes, record, opts))
  }

  async function uploader() {
    while (running && records.filter((r) => r.origin === 'workload').length < MAX_UPLOADS) {
      if (pending.size < MAX_IN_FLIGHT) void upload()
      await new Promise((r) => setTimeout(r, 1_500))
    }
  }

  async function reader() {
    while (running) {
      try {
        const res = await target.request('/api/notes?limit=5', {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(10_000),
        })
        const text = await res.text()
        if (res.status === 200) reads.ok++
        else {
          readFailures.push(Date.now())
          const clean = /^\{"error":\{"code":"[A-Z_]+"/.test(text)
          if (clean) reads.refusedClean++
          else reads.unclean.push(`${res.status} ${text.slice(0, 120)}`)
        }
      } catch {
        readFailures.push(Date.now())
        reads.errors++
      }
      await new Promise((r) => setTimeout(r, 500))
    }
  }

  async function listener() {
    for (let n = 0; running && n < 60; n++) {
      try {
        const { ws, events } = await target.socket(token)
        closeSocket = () => ws.close()
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            for (const e of events.splice(0))
              if (e.type === 'note.ready' && e.recording_id) noteReady.add(e.recording_id)
            if (!running) ws.close()
          }, 200)
          ws.once('close', () => (clearInterval(timer), resolve()))
          ws.once('error', () => ws.close())
        })
        for (const e of events)
          if (e.type === 'note.ready' && e.recording_id) noteReady.add(e.recording_id)
      } catch {
        // The edge or the api is down: try again shortly.
      }
      if (running) socketReconnects++
      await new Promise((r) => setTimeout(r, 1_000))
    }
  }

  return {
    records,
    reads,
    noteReady,
    get socketReconnects() {
      return socketReconnects
    },
    upload,
    firstFailureAfter(t) {
      const times = [
        ...readFailures.filter((x) => x >= t),
        // Seen failing when its answer (or error) came, not when it was sent.
        ...records.flatMap((r) =>
          r.attempts
            .filter((a) => a.error || (a.status !== undefined && a.status !== 202))
            .map((a) => a.at + a.ms)
            .filter((end) => end >= t)
        ),
      ]
      return times.length ? Math.min(...times) : undefined
    },
    startTraffic() {
      running = true
      loops = [uploader(), reader(), listener()]
    },
    async stopTraffic() {
      running = false
      closeSocket?.()
      await Promise.all(loops)
      // Uploads still retrying get to finish (each is bounded by its own deadline).
      await Promise.allSettled([...pending])
    },
  }
}
