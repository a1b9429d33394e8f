// A steady stream of requests through the edge while a deploy or rollback runs: liveness (with
// the version it reports) and the note list, every failure kept with its reason.
import type { connect } from './stack.ts'

export type SteadyLoad = {
  /** Each version seen on /health/live, with when. */
  seen: { at: number; version: string }[]
  stop: () => Promise<{ served: number; failures: string[]; versions: string[] }>
}

export function steadyLoad(s: ReturnType<typeof connect>, token: string): SteadyLoad {
  const seen: { at: number; version: string }[] = []
  const failures: string[] = []
  let served = 0
  let running = true
  const hit = async (path: string, auth: boolean) => {
    try {
      const res = await s.request(
        path,
        auth ? { headers: { authorization: `Bearer ${token}` } } : {}
      )
      const body = await res.text()
      if (res.status !== 200) failures.push(`${path} ${res.status} ${body.slice(0, 80)}`)
      else if (!auth)
        seen.push({ at: Date.now(), version: (JSON.parse(body) as { version: string }).version })
      served++
    } catch (err) {
      failures.push(`${path} ${String(err)}`)
    }
  }
  const loop = (async () => {
    for (let i = 0; running; i++) {
      await Promise.all([
        hit('/health/live', false),
        i % 4 === 0 ? hit('/api/notes?limit=5', true) : null,
      ])
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  return {
    seen,
    async stop() {
      running = false
      await loop
      return { served, failures, versions: [...new Set(seen.map((x) => x.version))] }
    },
  }
}
