// The steady-state hypothesis as probes with tolerances (Chaos Toolkit's `steady-state-
// hypothesis`): the edge answers, the api is ready, an upload is acknowledged, its note arrives.
import type { Target } from './target.ts'
import type { Workload } from './workload.ts'

export type ProbeResult = {
  name: string
  tolerance: string
  ok: boolean
  ms: number
  detail: string
}

async function timed(
  name: string,
  tolerance: string,
  run: () => Promise<{ ok: boolean; detail: string }>
): Promise<ProbeResult> {
  const at = Date.now()
  const r = await run().catch((err: unknown) => ({ ok: false, detail: String(err).slice(0, 200) }))
  return { name, tolerance, ms: Date.now() - at, ...r }
}

/** The cheap probes, polled every second while a fault is in to see when it is detected. */
export async function quickProbes(target: Target): Promise<ProbeResult[]> {
  return Promise.all([
    timed('edge answers', 'GET /health/live through the edge: 200 within 3 s', async () => {
      const res = await target.request('/health/live', { signal: AbortSignal.timeout(3_000) })
      await res.arrayBuffer()
      return { ok: res.status === 200, detail: `HTTP ${res.status}` }
    }),
    timed('api ready', 'GET /health/ready: 200 (database and volumes)', async () => {
      const r = await target.readiness()
      return {
        ok: r.status === 200,
        detail:
          r.status === 200
            ? 'ready'
            : `HTTP ${r.status} failing: ${r.failing.join(', ') || r.body.slice(0, 120)}`,
      }
    }),
  ])
}

/** The whole hypothesis: the quick probes, then one upload acknowledged and its note arriving. */
export async function steadyState(
  target: Target,
  token: string,
  workload: Workload
): Promise<ProbeResult[]> {
  const quick = await quickProbes(target)
  let id: string | undefined
  const upload = await timed(
    'upload acknowledged',
    'POST /api/recordings: 202 within 15 s',
    async () => {
      // Retried as a client would (within the same 15 s): the edge's rate limit answering 429
      // after a burst of the workload is a clean refusal, not a broken steady state.
      const r = await workload.upload({ origin: 'probe', maxAttempts: 4, deadlineMs: 15_000 })
      id = r.ids[0]
      const last = r.attempts.at(-1)
      return { ok: r.outcome === 'acknowledged', detail: last?.error ?? `HTTP ${last?.status}` }
    }
  )
  const note = await timed(
    'note arrives',
    'the recording is done with a note within 30 s',
    async () => {
      if (!id) return { ok: false, detail: 'no recording to wait for' }
      const end = Date.now() + 30_000
      for (;;) {
        const r = await target
          .json<{ status: string; note_id: string | null }>(token, `/api/recordings/${id}`)
          .catch(() => undefined)
        if (r?.status === 'done' && r.note_id) return { ok: true, detail: `note ${r.note_id}` }
        if (r?.status === 'failed') return { ok: false, detail: 'the recording failed' }
        if (Date.now() > end) return { ok: false, detail: `still ${r?.status ?? 'unreadable'}` }
        await new Promise((res) => setTimeout(res, 250))
      }
    }
  )
  return [...quick, upload, note]
}
