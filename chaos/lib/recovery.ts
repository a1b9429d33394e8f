import type { ProbeResult } from './probes.ts'
import { quickProbes, steadyState } from './probes.ts'
import type { Target } from './target.ts'
import type { Workload } from './workload.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Polls until the whole hypothesis holds again (the quick probes first, then an upload and its
 * note), until `deadline`; the last probes seen and when it held, if it did.
 */
export async function awaitRecovery(
  target: Target,
  token: string,
  workload: Workload,
  deadline: number
): Promise<{ after: ProbeResult[]; recoveredAt?: number }> {
  let after: ProbeResult[] = []
  while (Date.now() < deadline) {
    const quick = await quickProbes(target)
    if (quick.every((p) => p.ok)) {
      after = await steadyState(target, token, workload)
      if (after.every((p) => p.ok)) return { after, recoveredAt: Date.now() }
    } else after = quick
    await sleep(500)
  }
  return { after }
}
