import { writeFile } from 'node:fs/promises'
import { defineDrill } from '../lib/drill.ts'
import { ensureHealthy, within } from '../lib/faults.ts'
import type { Target } from '../lib/target.ts'

const inspect = (target: Target, format: string) =>
  target.docker('inspect', '-f', format, target.container('api'))

// Grows by 32 MB every 50 ms, touching every page, until the cgroup's limit (1 GB) is reached.
const ALLOCATE = 'const a=[];setInterval(()=>a.push(Buffer.alloc(32<<20,1)),50)'

export default defineDrill({
  name: 'oom-kill',
  title: "the api's memory limit reached (OOM kill) during a large upload",
  hypothesis:
    'When the kernel kills the api for its memory limit in the middle of a large upload, the upload is retried with its key and stored once, nothing torn is kept, and the api is back on its own (restart policy).',
  fault:
    "while a 4 MB upload streams, a process in the api's container allocates until the container's 1 GB limit; the api's node is the OOM killer's choice (oom_score_adj 1000, set from the host: cgroup v1 refuses a limit below the usage, so docker update cannot lower it)",
  needs: ['chaos-overlay', 'root'],
  recoverWithinMs: 90_000,
  async method({ target, workload, expect, faultIn }) {
    const restartsBefore = Number(await inspect(target, '{{.RestartCount}}'))
    let streaming = false
    // A large upload (4 MB of the 5 MB limit) sent slowly, so the kill lands mid-body.
    void workload.upload({
      origin: 'drill',
      padTo: 4_000_000,
      slowPieces: 20,
      slowPauseMs: 300,
      onStarted: () => (streaming = true),
    })
    await within(10_000, async () => streaming)
    await new Promise((r) => setTimeout(r, 1_500))
    await writeFile(`/proc/${await target.pid('api')}/oom_score_adj`, '1000')
    await target.docker('exec', '-d', target.container('api'), 'node', '-e', ALLOCATE)
    faultIn("a process in the api's container allocates up to its memory limit")
    const killed = await within(20_000, async () => {
      const oom = await inspect(target, '{{.State.OOMKilled}}')
      const restarts = Number(await inspect(target, '{{.RestartCount}}'))
      return oom === 'true' || restarts > restartsBefore
    })
    expect(
      'the kernel killed the api for its memory (OOMKilled or restarted)',
      killed,
      `OOMKilled=${await inspect(target, '{{.State.OOMKilled}}')}, restarts ${await inspect(target, '{{.RestartCount}}')}`
    )
  },
  rollbacks: [
    {
      name: 'the api running and healthy',
      run: ({ target }) => ensureHealthy(target, 'api'),
    },
  ],
})
