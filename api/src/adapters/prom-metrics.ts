import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Metrics } from '../lib/metrics.ts'

export function createPromMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'scribe_' })
  const requests = new Histogram({
    name: 'scribe_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  })
  const providerCalls = new Histogram({
    name: 'scribe_provider_call_duration_seconds',
    help: 'Provider call duration by provider and outcome',
    labelNames: ['provider', 'outcome'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [registry],
  })
  const providerErrors = new Counter({
    name: 'scribe_provider_errors_total',
    help: 'Provider calls that failed',
    labelNames: ['provider'],
    registers: [registry],
  })
  const jobs = new Gauge({
    name: 'scribe_jobs',
    help: 'Jobs by state',
    labelNames: ['state'],
    registers: [registry],
  })
  const oldestPending = new Gauge({
    name: 'scribe_jobs_oldest_pending_age_seconds',
    help: 'Age of the oldest job not yet done or failed (0 when none)',
    registers: [registry],
  })
  const circuit = new Gauge({
    name: 'scribe_provider_circuit_open',
    help: '1 while the provider circuit is open',
    labelNames: ['provider'],
    registers: [registry],
  })
  // One histogram child per (method, route pattern, status), looked up by a plain string key:
  // prom-client would otherwise hash a label object on every request. The labels stay bounded:
  // routes are patterns (or 'unmatched'), Node accepts only known methods, statuses are few.
  const requestChildren = new Map<string, { observe(v: number): void }>()
  return {
    observeRequest(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`
      let child = requestChildren.get(key)
      if (!child) {
        child = requests.labels({ method, route, status: String(status) })
        requestChildren.set(key, child)
      }
      child.observe(seconds)
    },
    observeProvider(provider, outcome, seconds) {
      providerCalls.observe({ provider, outcome }, seconds)
      if (outcome === 'error') providerErrors.inc({ provider })
    },
    setJobCounts(counts) {
      for (const [state, n] of Object.entries(counts)) jobs.set({ state }, n)
    },
    setOldestPendingAge: (seconds) => oldestPending.set(seconds),
    setCircuit: (provider, open) => circuit.set({ provider }, open ? 1 : 0),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  }
}
