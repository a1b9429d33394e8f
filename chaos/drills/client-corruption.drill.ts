import { readFileSync } from 'node:fs'
import { Agent, fetch } from 'undici'
import { startCorruptingProxy } from '../lib/corrupting-proxy.ts'
import type { CorruptingProxy } from '../lib/corrupting-proxy.ts'
import { defineDrill } from '../lib/drill.ts'
import type { Target } from '../lib/target.ts'

let proxy: CorruptingProxy | undefined
const UPLOADS = 8
const PROBABILITY = 0.04

export default defineDrill({
  name: 'client-corruption',
  title: 'packet corruption on the client side of the edge',
  hypothesis:
    'Clients whose link to the edge corrupts packets see connections fail (TLS refuses the damaged records) and retry with the same Idempotency-Key: each recording is stored once, even when the damaged packet was the 202 itself.',
  fault: `a byte flipped in ${PROBABILITY * 100} % of the chunks between clients and the edge, both ways, for ${UPLOADS} uploads (this kernel has neither sch_netem nor act_pedit, so a proxy of the drill's own corrupts instead of tc netem corrupt)`,
  recoverWithinMs: 30_000,
  async method({ target, workload, faultIn, expect, note }) {
    proxy = await startCorruptingProxy(target.info.httpsPort, PROBABILITY)
    // HTTP/1.1 with a new connection per request: a client whose connection broke opens another.
    const dispatcher = new Agent({
      connect: { ca: readFileSync(target.info.caCert) },
      allowH2: false,
      pipelining: 0,
    })
    const base = `https://localhost:${proxy.port}`
    const via: Target = {
      ...target,
      request: (path, init = {}) =>
        fetch(`${base}${path}`, {
          ...init,
          headers: { ...init.headers, connection: 'close' },
          dispatcher,
        }),
    }
    faultIn(`clients go through a corrupting proxy on 127.0.0.1:${proxy.port}`)
    // The drill's own clients, two at a time, tracked with the workload's uploads.
    let left = UPLOADS
    await Promise.all(
      [0, 1].map(async () => {
        while (left-- > 0)
          await workload.upload({ origin: 'drill', via, maxAttempts: 15, deadlineMs: 90_000 })
      })
    )
    const drill = workload.records.filter((r) => r.origin === 'drill')
    const failed = drill.flatMap((r) => r.attempts).filter((a) => a.status !== 202).length
    note(
      `proxy: ${proxy.stats.connections} connections, ${proxy.stats.corrupted} of ${proxy.stats.chunks} chunks corrupted; ${failed} failed attempt(s)`
    )
    expect('some packets were corrupted', proxy.stats.corrupted > 0, `${proxy.stats.corrupted}`)
    expect(
      'every drill upload was acknowledged in the end',
      drill.every((r) => r.outcome === 'acknowledged'),
      drill.map((r) => r.outcome).join(', ')
    )
  },
  rollbacks: [
    {
      name: 'stop the corrupting proxy',
      run: async () => {
        await proxy?.close()
        proxy = undefined
      },
    },
  ],
})
