// Time to detect: the quick probes (and the drill's own check, for faults they cannot see) polled
// every second while the fault is in; the moments they failed.
import type { Drill, DrillContext } from './drill.ts'
import { quickProbes } from './probes.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function startDetection(drill: Drill, ctx: DrillContext) {
  const failures: number[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      const r = await quickProbes(ctx.target)
      const noticed = drill.detect ? await drill.detect(ctx).catch(() => false) : false
      // When it was seen, not when the probe started: detection includes the probe's own wait.
      if (noticed || r.some((p) => !p.ok)) failures.push(Date.now())
      await sleep(1_000)
    }
  })()
  return {
    /** Stops polling; the first failure at or after `from`, if any. */
    async stop(from: number): Promise<number | undefined> {
      running = false
      await loop
      return failures.find((t) => t >= from)
    },
  }
}
