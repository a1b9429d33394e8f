// The rolling replacement of the API. Both containers run side by side while the edge moves:
// the old one keeps serving until the new one is healthy, smoke-checked and watched, so a bad
// release is switched back without a dropped request, and only then is the old one drained.
import { $, sleep } from 'zx'
import { countTraffic, judgeErrorRate } from '../../lib/error-rate.ts'
import { DEFAULT_UPSTREAM, switchUpstream } from '../../lib/edge-upstream.ts'
import { imageRef } from '../../lib/images.ts'
import { runProbe } from '../../lib/probe.ts'
import { detail, step } from '../../lib/step.ts'
import type { ReleaseOptions } from './options.ts'
import type { Preflight } from './preflight.ts'
import { apiContainers, composeFor, healthOf, stackNetwork } from './stack.ts'

const q = $({ quiet: true, timeout: '120s' })

/** Why a release went back: the message the deploy exits with. */
export class RolledBack extends Error {}

const lastLogLine = async (container: string): Promise<string> => {
  const out = await q`docker logs --tail 5 ${container}`.nothrow()
  return (out.stderr.trim() || out.stdout.trim()).split('\n').at(-1)?.slice(0, 200) ?? ''
}

/**
 * `onLive` runs once the new release passed its gate and serves, before the old one drains:
 * from then on, whatever happens to the drain, the env file must name the live release.
 */
export async function rollOut(
  o: ReleaseOptions,
  p: Preflight,
  onLive: () => Promise<void> = async () => {}
): Promise<void> {
  const old = p.current
  const upstream = (name: string) => `${name}:8080`
  let fresh: string | undefined
  let switched = false

  // Any failure from here on puts the old container back in front and removes the new one.
  const goBack = async (why: string): Promise<never> => {
    await step(`roll back to ${old.version}`, async () => {
      if (switched) await switchUpstream(p.edge, upstream(old.name))
      if (fresh) {
        await q`docker stop -t ${o.drainS} ${fresh}`.nothrow()
        await q`docker rm -f ${fresh}`.nothrow()
      }
      await switchUpstream(p.edge, DEFAULT_UPSTREAM)
      return `the edge serves ${old.version} (${old.name}) again`
    })
    throw new RolledBack(why)
  }

  await step(`pin the edge to ${old.version}`, async () => {
    // The service alias `api` will soon name both containers: route by container name instead.
    await switchUpstream(p.edge, upstream(old.name))
    return `edge → ${old.name}`
  })

  try {
    await step(`start api ${p.version}`, async () => {
      // No --no-deps: compose would drop depends_on from the config hash it labels the container
      // with, and a later `compose up` would recreate it. --no-recreate leaves every existing
      // container (postgres, stt, the old api) as it is.
      await $({
        quiet: true,
        timeout: '180s',
        env: { ...process.env, API_TAG: p.version },
      })`docker ${composeFor(o)} up -d --no-recreate --scale api=2 api`
      fresh = (await apiContainers(o.project)).find((a) => a.name !== old.name)?.name
      if (!fresh) throw new Error('compose started no second api container')
      return `${fresh} (${imageRef('api', p.version)})`
    })
  } catch (err) {
    await goBack(`the new api did not start: ${String((err as Error).message).slice(0, 200)}`)
  }
  const next = fresh!

  try {
    await step(`wait for ${p.version} to be healthy`, async () => {
      const deadline = Date.now() + o.healthTimeoutS * 1000
      let status = 'starting'
      while (Date.now() < deadline) {
        status = await healthOf(next)
        if (status === 'healthy') return 'healthy'
        if (status === 'unhealthy' || status === 'exited' || status === 'gone') break
        await sleep(1000)
      }
      throw new Error(
        `${p.version} did not become healthy within ${o.healthTimeoutS} s (${status}): ${await lastLogLine(next)}`
      )
    })
  } catch (err) {
    await goBack((err as Error).message)
  }

  await step('migrations', async () => {
    // The API migrates at start under an advisory lock, so they ran before the switch, while the
    // old release served: a release may only add (expand) what the previous one tolerates.
    const logs = await q`docker logs ${next}`.nothrow()
    const line = `${logs.stdout}\n${logs.stderr}`
      .split('\n')
      .find((l) => l.includes('database migrated'))
    const applied = line ? (/"applied":\[([^\]]*)\]/.exec(line)?.[1] ?? '') : ''
    return applied ? `applied ${applied.replaceAll('"', '')}` : 'none pending'
  })

  await step(`switch the edge to ${p.version}`, async () => {
    await switchUpstream(p.edge, upstream(next))
    switched = true
    return `edge → ${next}, graceful reload`
  })

  try {
    await runGate(o, p)
  } catch (err) {
    await goBack((err as Error).message)
  }
  await onLive()

  await step(`drain and stop ${old.version}`, async () => {
    const t0 = performance.now()
    // SIGTERM: the API stops accepting, tells sockets to reconnect, finishes in-flight requests,
    // hands unfinished jobs back to the queue; docker kills it after --drain + 15 s.
    // Its own time limit: the 120 s of `q` would cut a long --drain short and fail a deploy
    // whose new release is already live.
    await $({
      quiet: true,
      timeout: `${o.drainS + 60}s`,
    })`docker stop -t ${o.drainS + 15} ${old.name}`
    await q`docker rm ${old.name}`
    await switchUpstream(p.edge, DEFAULT_UPSTREAM)
    return `${old.name} stopped in ${((performance.now() - t0) / 1000).toFixed(1)} s; edge → ${DEFAULT_UPSTREAM}`
  })
}

/** Smoke check and watch window through the edge; throws why the release must go back. */
async function runGate(o: ReleaseOptions, p: Preflight): Promise<void> {
  await step(`smoke check and ${o.watchS} s watch through the edge`, async () => {
    // The window is read on the target's clock: a relative `--since 30s` is turned into a time
    // by this machine's clock, and a remote target's may differ (the log times are its own).
    const since = (await q`docker info --format {{.SystemTime}}`).stdout.trim()
    const result = await runProbe({
      network: await stackNetwork(p.edge),
      image: imageRef('api', p.version),
      email: p.smoke.email,
      password: p.smoke.password,
      expectVersion: p.version,
      watchMs: o.watchS * 1000,
    })
    if (!result.smoke.ok)
      throw new Error(`smoke check failed at "${result.smoke.step}": ${result.smoke.detail}`)
    // Every client's traffic since the switch, not only the probe's: the edge's access log.
    const logs = await q`docker logs --since ${since} ${p.edge}`.nothrow()
    const counts = countTraffic(logs.stdout)
    const rate = judgeErrorRate(counts, o.maxErrorRate, result.failures - countErrors(result))
    detail(`served ${result.version}; edge saw ${JSON.stringify(counts.byStatus)}`)
    if (!rate.ok) throw new Error(`error rate after the switch: ${rate.summary}`)
    return `${result.smoke.notes ? 'read a note' : 'no notes to read'}; ${rate.summary}`
  })
}

/** The probe's failures that the edge also logged (5xx); the rest never reached it. */
const countErrors = (r: { byStatus: Record<string, number> }) =>
  Object.entries(r.byStatus)
    .filter(([s]) => s.startsWith('5'))
    .reduce((n, [, c]) => n + c, 0)
