// The rolling replacement of the API, as steps. Both containers run side by side while the edge
// moves: the old one keeps serving until the new one is healthy, smoke-checked and watched, so a
// bad release is switched back (`rollBack`, after any failure) without a dropped request, and
// only then is the old one drained. Steps after `start` depend on the container it starts, so
// a dry run prints them as planned, like the ones that change something.
import { $, sleep } from 'zx'
import { setEnvValue } from '../../lib/env-file.ts'
import { countTraffic, judgeErrorRate } from '../../lib/error-rate.ts'
import { DEFAULT_UPSTREAM, switchUpstream } from '../../lib/edge-upstream.ts'
import { imageRef } from '../../lib/images.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { runProbe } from '../../lib/probe.ts'
import { detail } from '../../lib/step.ts'
import { need } from './context.ts'
import type { ReleaseContext } from './context.ts'
import { apiContainers, composeFor, healthOf, stackNetwork } from './stack.ts'
import { childEnv } from '../../lib/env.ts'

const q = $({ quiet: true, timeout: '120s' })
const upstream = (name: string) => `${name}:8080`
const live = (c: ReleaseContext) => need(c.current, 'the live api')
const next = (c: ReleaseContext) => need(c.version, 'the version')
const edge = (c: ReleaseContext) => need(c.edge, 'the edge')

const lastLogLine = async (container: string): Promise<string> => {
  const out = await q`docker logs --tail 5 ${container}`.nothrow()
  return (out.stderr.trim() || out.stdout.trim()).split('\n').at(-1)?.slice(0, 200) ?? ''
}

export const pin = defineStep<ReleaseContext>({
  name: (c) => `pin the edge to ${live(c).version}`,
  changes: true,
  plan: (c) => `pin the edge to the live api (${live(c).version})`,
  run: async (c) => {
    // The service alias `api` will soon name both containers: route by container name instead.
    await switchUpstream(edge(c), upstream(live(c).name))
    c.pinned = true
    return `edge → ${live(c).name}`
  },
})

export const start = defineStep<ReleaseContext>({
  name: (c) => `start api ${c.version}`,
  changes: true,
  plan: (c) =>
    `start api ${next(c)} next to it; it runs pending migrations (expand-only) under the advisory lock`,
  run: async (c) => {
    // No --no-deps: compose would drop depends_on from the config hash it labels the container
    // with, and a later `compose up` would recreate it. --no-recreate leaves every existing
    // container (postgres, stt, the old api) as it is.
    try {
      await $({
        quiet: true,
        timeout: '180s',
        env: childEnv({ API_TAG: next(c) }),
      })`docker ${composeFor(c.o)} up -d --no-recreate --scale api=2 api`
      c.fresh = (await apiContainers(c.o.project)).find((a) => a.name !== live(c).name)?.name
      if (!c.fresh) throw new Error('compose started no second api container')
    } catch (err) {
      throw new Error(`the new api did not start: ${String((err as Error).message).slice(0, 200)}`)
    }
    return `${c.fresh} (${imageRef('api', next(c))})`
  },
})

export const healthy = defineStep<ReleaseContext>({
  name: (c) => `wait for ${c.version} to be healthy`,
  changes: true,
  plan: (c) => `wait up to ${c.o.healthTimeoutS} s for it to be healthy`,
  run: async (c) => {
    const fresh = need(c.fresh, 'the new api')
    const deadline = Date.now() + c.o.healthTimeoutS * 1000
    let status = 'starting'
    while (Date.now() < deadline) {
      status = await healthOf(fresh)
      if (status === 'healthy') return 'healthy'
      if (status === 'unhealthy' || status === 'exited' || status === 'gone') break
      await sleep(1000)
    }
    throw new Error(
      `${next(c)} did not become healthy within ${c.o.healthTimeoutS} s (${status}): ${await lastLogLine(fresh)}`
    )
  },
})

export const migrations = defineStep<ReleaseContext>({
  name: 'migrations',
  changes: true,
  plan: () => 'report the migrations the new api applied as it started',
  run: async (c) => {
    // The API migrates at start under an advisory lock, so they ran before the switch, while the
    // old release served: a release may only add (expand) what the previous one tolerates.
    const logs = await q`docker logs ${need(c.fresh, 'the new api')}`.nothrow()
    const line = `${logs.stdout}\n${logs.stderr}`
      .split('\n')
      .find((l) => l.includes('database migrated'))
    const applied = line ? (/"applied":\[([^\]]*)\]/.exec(line)?.[1] ?? '') : ''
    return applied ? `applied ${applied.replaceAll('"', '')}` : 'none pending'
  },
})

export const switchEdge = defineStep<ReleaseContext>({
  name: (c) => `switch the edge to ${c.version}`,
  changes: true,
  plan: (c) => `switch the edge to ${next(c)} (nginx -s reload, graceful)`,
  run: async (c) => {
    const fresh = need(c.fresh, 'the new api')
    await switchUpstream(edge(c), upstream(fresh))
    c.switched = true
    return `edge → ${fresh}, graceful reload`
  },
})

/** Smoke check and watch window through the edge; throws why the release must go back. */
export const gate = defineStep<ReleaseContext>({
  name: (c) => `smoke check and ${c.o.watchS} s watch through the edge`,
  changes: true,
  plan: (c) =>
    `smoke check through the edge (sign in, list notes, read one) and watch ${c.o.watchS} s: more than ${(c.o.maxErrorRate * 100).toFixed(1)}% 5xx goes back to ${live(c).version}`,
  run: async (c) => {
    const smoke = need(c.smoke, 'the smoke account')
    // The window is read on the target's clock: a relative `--since 30s` is turned into a time
    // by this machine's clock, and a remote target's may differ (the log times are its own).
    const since = (await q`docker info --format {{.SystemTime}}`).stdout.trim()
    const result = await runProbe({
      network: await stackNetwork(edge(c)),
      image: imageRef('api', next(c)),
      email: smoke.email,
      password: smoke.password,
      expectVersion: next(c),
      watchMs: c.o.watchS * 1000,
    })
    if (!result.smoke.ok)
      throw new Error(`smoke check failed at "${result.smoke.step}": ${result.smoke.detail}`)
    // Every client's traffic since the switch, not only the probe's: the edge's access log.
    const logs = await q`docker logs --since ${since} ${edge(c)}`.nothrow()
    const counts = countTraffic(logs.stdout)
    const rate = judgeErrorRate(counts, c.o.maxErrorRate, result.failures - countErrors(result))
    detail(`served ${result.version}; edge saw ${JSON.stringify(counts.byStatus)}`)
    if (!rate.ok) throw new Error(`error rate after the switch: ${rate.summary}`)
    c.live = true
    return `${result.smoke.notes ? 'read a note' : 'no notes to read'}; ${rate.summary}`
  },
})

/** The probe's failures that the edge also logged (5xx); the rest never reached it. */
const countErrors = (r: { byStatus: Record<string, number> }) =>
  Object.entries(r.byStatus)
    .filter(([s]) => s.startsWith('5'))
    .reduce((n, [, count]) => n + count, 0)

/**
 * Written as soon as the release is live, so a later `make up` keeps it even if the drain of
 * the old one fails.
 */
export const keepRelease = defineStep<ReleaseContext>({
  name: 'API_TAG',
  changes: true,
  plan: (c) => `set API_TAG=${next(c)} in ${c.o.envFile}`,
  run: async (c) => {
    await setEnvValue(c.o.envFile, 'API_TAG', next(c))
    return `API_TAG=${next(c)} in ${c.o.envFile}`
  },
})

export const drain = defineStep<ReleaseContext>({
  name: (c) => `drain and stop ${live(c).version}`,
  changes: true,
  plan: (c) =>
    `drain and stop ${live(c).version} (in-flight requests, jobs handed back, sockets told to reconnect)`,
  run: async (c) => {
    const old = live(c)
    const t0 = performance.now()
    // SIGTERM: the API stops accepting, tells sockets to reconnect, finishes in-flight requests,
    // hands unfinished jobs back to the queue; docker kills it after --drain + 15 s.
    // Its own time limit: the 120 s of `q` would cut a long --drain short and fail a deploy
    // whose new release is already live.
    await $({
      quiet: true,
      timeout: `${c.o.drainS + 60}s`,
    })`docker stop -t ${c.o.drainS + 15} ${old.name}`
    await q`docker rm ${old.name}`
    await switchUpstream(edge(c), DEFAULT_UPSTREAM)
    return `${old.name} stopped in ${((performance.now() - t0) / 1000).toFixed(1)} s; edge → ${DEFAULT_UPSTREAM}`
  },
})

/**
 * After a failure between pinning the edge and the gate passing: the old container back in
 * front, the new one removed, the edge back on the service alias.
 */
export const rollBack = defineStep<ReleaseContext>({
  name: (c) => `roll back to ${live(c).version}`,
  changes: true,
  when: (c) => c.failure !== undefined && c.pinned && !c.live,
  run: async (c) => {
    const old = live(c)
    if (c.switched) await switchUpstream(edge(c), upstream(old.name))
    if (c.fresh) {
      await q`docker stop -t ${c.o.drainS} ${c.fresh}`.nothrow()
      await q`docker rm -f ${c.fresh}`.nothrow()
    }
    await switchUpstream(edge(c), DEFAULT_UPSTREAM)
    c.rolledBack = true
    return `the edge serves ${old.version} (${old.name}) again`
  },
})
