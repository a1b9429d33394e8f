// make silence / make silences: maintenance windows in Alertmanager, through amtool.
import { hostname, userInfo } from 'node:os'
import { echo } from 'zx'
import type { OpsEnv } from '../../lib/env.ts'
import { alertmanagerContainer, amtool } from '../../lib/monitor/client.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { PipelineContext } from '../../lib/pipeline.ts'

export type SilenceContext = PipelineContext & {
  env: OpsEnv
  action: 'add' | 'list' | 'expire'
  duration: string
  reason?: string
  /** amtool matchers, e.g. alertname=BackupTooOld; default every alert but the Watchdog. */
  matchers: string[]
  /** Silence ids to expire, or 'all'. */
  expire?: string
  container?: string
  silenceId?: string
}

/** Every alert except the dead man's switch, which must keep reaching its receiver. */
export const EVERYTHING = ['alertname=~.+', 'alertname!=Watchdog']

export const findAlertmanager = defineStep<SilenceContext>({
  name: 'alertmanager',
  changes: false,
  run: async (c) => {
    c.container = await alertmanagerContainer(c.env.COMPOSE_PROJECT_NAME)
    return c.container
  },
})

export const addSilence = defineStep<SilenceContext>({
  name: (c) => (c.action === 'add' ? `silence ${c.matchers.join(' ')} for ${c.duration}` : 'add'),
  changes: true,
  skip: (c) => (c.action === 'add' ? false : 'not adding'),
  plan: (c) =>
    `amtool silence add ${c.matchers.join(' ')} --duration ${c.duration} --comment '${c.reason}'`,
  run: async (c) => {
    const author = `${userInfo().username}@${hostname()}`
    c.silenceId = await amtool(c.container!, [
      'silence',
      'add',
      '--duration',
      c.duration,
      '--comment',
      c.reason ?? '',
      '--author',
      author,
      ...c.matchers,
    ])
    echo(`silence ${c.silenceId}: expire it early with make silence ARGS="--expire ${c.silenceId}"`)
    return c.silenceId
  },
})

export const expireSilences = defineStep<SilenceContext>({
  name: (c) => (c.expire ? `expire ${c.expire}` : 'expire'),
  changes: true,
  skip: (c) => (c.action === 'expire' ? false : 'not expiring'),
  plan: (c) => `amtool silence expire ${c.expire}`,
  run: async (c) => {
    const ids =
      c.expire === 'all'
        ? (await amtool(c.container!, ['silence', 'query', '--quiet'])).split('\n').filter(Boolean)
        : (c.expire ?? '').split(',').filter(Boolean)
    if (ids.length === 0) return 'no active silence'
    await amtool(c.container!, ['silence', 'expire', ...ids])
    return `${ids.length} expired`
  },
})

export const listSilences = defineStep<SilenceContext>({
  name: 'active silences',
  changes: false,
  skip: (c) => (c.action === 'list' ? false : 'not listing'),
  run: async (c) => {
    const out = await amtool(c.container!, ['silence', 'query'])
    echo(out)
    return `${Math.max(0, out.split('\n').length - 1)} active`
  },
})
