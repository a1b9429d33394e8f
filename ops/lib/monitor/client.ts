// The running monitor, as the ops scripts reach it: Prometheus's and Alertmanager's HTTP APIs on
// their 127.0.0.1 ports, and amtool inside the Alertmanager container.
import { $ } from 'zx'
import { StopError } from '../errors.ts'
import type { OpsEnv } from '../env.ts'

const HINT = 'start it with `make up ARGS=--monitor` (RUNBOOK.md#monitoring-and-alerts)'

async function getJson<T>(url: string, what: string): Promise<T> {
  let res: Response
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  } catch (err) {
    throw new StopError(`${what} does not answer on ${new URL(url).origin}: ${String(err)}`, HINT)
  }
  if (!res.ok) throw new StopError(`${what} answered ${res.status} for ${url}`, HINT)
  return (await res.json()) as T
}

export const prometheusUrl = (env: OpsEnv): string => `http://127.0.0.1:${env.PROMETHEUS_PORT}`
export const alertmanagerUrl = (env: OpsEnv): string => `http://127.0.0.1:${env.ALERTMANAGER_PORT}`

export type PromAlert = {
  labels: Record<string, string>
  annotations: Record<string, string>
  state: 'pending' | 'firing'
  activeAt: string
}
export type PromTarget = {
  labels: Record<string, string>
  health: 'up' | 'down' | 'unknown'
  lastError: string
}
export type AmAlert = {
  labels: Record<string, string>
  annotations: Record<string, string>
  startsAt: string
  status: {
    state: 'active' | 'suppressed' | 'unprocessed'
    silencedBy: string[]
    inhibitedBy: string[]
  }
}

export const prometheusAlerts = async (env: OpsEnv): Promise<PromAlert[]> =>
  (
    await getJson<{ data: { alerts: PromAlert[] } }>(
      `${prometheusUrl(env)}/api/v1/alerts`,
      'Prometheus'
    )
  ).data.alerts

export const prometheusTargets = async (env: OpsEnv): Promise<PromTarget[]> =>
  (
    await getJson<{ data: { activeTargets: PromTarget[] } }>(
      `${prometheusUrl(env)}/api/v1/targets?state=active`,
      'Prometheus'
    )
  ).data.activeTargets

export const alertmanagerAlerts = (env: OpsEnv): Promise<AmAlert[]> =>
  getJson<AmAlert[]>(`${alertmanagerUrl(env)}/api/v2/alerts`, 'Alertmanager')

/** Posts alerts to Alertmanager as Prometheus does (make alerts-test). */
export async function postAlerts(env: OpsEnv, alerts: unknown[]): Promise<void> {
  const res = await fetch(`${alertmanagerUrl(env)}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
    signal: AbortSignal.timeout(10_000),
  }).catch((err: unknown) => {
    throw new StopError(`Alertmanager does not answer: ${String(err)}`, HINT)
  })
  if (!res.ok)
    throw new StopError(`Alertmanager refused the alert: ${res.status} ${await res.text()}`, HINT)
}

/** Alertmanager's own metrics, as text. */
export async function alertmanagerMetrics(env: OpsEnv): Promise<string> {
  const res = await fetch(`${alertmanagerUrl(env)}/metrics`, {
    signal: AbortSignal.timeout(10_000),
  }).catch((err: unknown) => {
    throw new StopError(`Alertmanager does not answer: ${String(err)}`, HINT)
  })
  return res.text()
}

/** The Alertmanager container of the project (for amtool), or a stop saying how to start it. */
export async function alertmanagerContainer(project: string): Promise<string> {
  const out = await $({
    quiet: true,
    timeout: '15s',
  })`docker ps --filter ${`label=com.docker.compose.project=${project}`} --filter label=com.docker.compose.service=alertmanager --format {{.Names}}`
  const name = out.stdout.trim().split('\n')[0]
  if (!name) throw new StopError(`no Alertmanager runs in the ${project} stack`, HINT)
  return name
}

/** amtool in the Alertmanager container, against that Alertmanager; its output. */
export async function amtool(container: string, args: string[]): Promise<string> {
  const out = await $({
    quiet: true,
    timeout: '30s',
  })`docker exec ${container} amtool --alertmanager.url=http://127.0.0.1:9093 ${args}`
  return out.stdout.trim()
}
