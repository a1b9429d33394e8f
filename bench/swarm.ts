// Swarm figures on three local nodes (docker-in-docker, as tests/stack/swarm.test.ts): notes per
// minute with 1, 2 and 3 api replicas against the fake provider at a fixed latency (ratios against
// 1 replica), failed requests during a rolling update, the time Swarm takes to replace a killed
// api task, and the time until every acknowledged recording is a note after a node is killed.
// Needs the images medic-scribe/{api,edge,postgres}:$SCRIBE_TAG (make images). Everything it
// starts is removed at the end.
//   npm run bench:swarm -- [--recordings 24] [--delay-ms 2000]
import { parseArgs } from 'node:util'
import { pcmWav } from '../tests/support/synthetic-pcm.ts'
import { until } from '../tests/stack/stack.ts'
import { steadyLoad } from '../tests/stack/steady-load.ts'
import { startSwarmStack, STACK } from '../tests/stack/swarm-support.ts'

const { values } = parseArgs({
  options: {
    recordings: { type: 'string', default: '24' },
    'delay-ms': { type: 'string', default: '2000' },
  },
})
const recordings = Number(values.recordings)
const delayMs = Number(values['delay-ms'])
const audio = pcmWav([{ kind: 'tone', seconds: 2 }])
const since = (t: number) => (Date.now() - t) / 1000

process.env.TESTCONTAINERS_RYUK_DISABLED = 'true'
const swarm = await startSwarmStack({ count: 3, fakeDelayMs: delayMs })
try {
  for (const node of swarm.nodes.nodes.slice(1)) await swarm.nodes.join(node, swarm.manager)
  const deploy = async (replicas: number, apiTag = swarm.tag) => {
    const run = await swarm.script('deploy', [
      '--api-replicas',
      String(replicas),
      '--api-tag',
      apiTag,
    ])
    if (run.code !== 0) throw new Error(`swarm-deploy failed:\n${run.out}`)
  }
  await deploy(1)
  const account = await swarm.account()
  const client = swarm.client(swarm.manager, account)
  const token = await client.login()

  // Throughput: every recording uploaded at once, timed until the last one is a note.
  const perMinute: number[] = []
  for (const replicas of [1, 2, 3]) {
    await deploy(replicas)
    const started = Date.now()
    const ids: string[] = []
    for (let i = 0; i < recordings; i++) {
      const res = await client.upload(token, audio)
      if (res.status !== 202) throw new Error(`upload answered ${res.status}`)
      ids.push(((await res.json()) as { id: string }).id)
    }
    for (const id of ids) await client.settled(token, id, `recording ${id}`)
    perMinute.push((ids.length / since(started)) * 60)
    console.log(`${replicas} api replica(s): ${perMinute.at(-1)!.toFixed(1)} notes/min`)
  }

  // A rolling update under steady load.
  await swarm.manager.docker(
    'tag',
    `medic-scribe/api:${swarm.tag}`,
    `medic-scribe/api:${swarm.tag}-next`
  )
  const load = steadyLoad(client, token)
  const rollStarted = Date.now()
  await deploy(3, `${swarm.tag}-next`)
  const rolled = since(rollStarted)
  const roll = await load.stop()

  // A killed task, replaced by a healthy one.
  const holder = await (async () => {
    for (const node of swarm.nodes.nodes) {
      const [id] = await swarm.apiContainers(node)
      if (id) return { node, id }
    }
    throw new Error('no healthy api task')
  })()
  const killedAt = Date.now()
  await holder.node.docker('kill', holder.id)
  await until(
    'a replacement task',
    async () => {
      const all = (await Promise.all(swarm.nodes.nodes.map((n) => swarm.apiContainers(n)))).flat()
      return (all.length === 3 && !all.includes(holder.id)) || undefined
    },
    120_000
  )
  const replaced = since(killedAt)

  // A worker node lost with recordings in flight.
  const ids: string[] = []
  for (let i = 0; i < 6; i++) {
    const res = await client.upload(token, audio)
    ids.push(((await res.json()) as { id: string }).id)
  }
  const lostAt = Date.now()
  await swarm.nodes.kill(swarm.nodes.nodes[1]!)
  for (const id of ids) await client.settled(token, id, `recording ${id}`)
  const resumed = since(lostAt)

  const base = perMinute[0]!
  console.log(
    `\nSwarm figures (${STACK}, 3 nodes, fake provider ${delayMs} ms, ${recordings} recordings)`
  )
  for (const [i, n] of perMinute.entries())
    console.log(
      `  ${i + 1} api replica(s): ${n.toFixed(1)} notes/min  (${(n / base).toFixed(2)}x of 1 replica)`
    )
  console.log(
    `  rolling update of 3 replicas: ${rolled.toFixed(1)} s, ${roll.served} requests, ${roll.failures.length} failed`
  )
  console.log(`  killed api task replaced by Swarm in ${replaced.toFixed(1)} s`)
  console.log(`  node lost: all 6 acknowledged recordings were notes ${resumed.toFixed(1)} s later`)
} finally {
  await swarm.down()
}
