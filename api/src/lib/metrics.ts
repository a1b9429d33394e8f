// What the API measures; the Prometheus implementation lives in adapters/, a no-op here for tests.
export interface Metrics {
  observeRequest(method: string, route: string, status: number, seconds: number): void
  observeProvider(provider: string, outcome: 'ok' | 'error', seconds: number): void
  setJobCounts(counts: Record<string, number>): void
  /** The oldest job still waiting or running: a stuck queue shows here first. */
  setOldestPendingAge(seconds: number): void
  setCircuit(provider: string, open: boolean): void
  render(): Promise<{ contentType: string; body: string }>
}

export const noopMetrics: Metrics = {
  observeRequest() {},
  observeProvider() {},
  setJobCounts() {},
  setOldestPendingAge() {},
  setCircuit() {},
  render: async () => ({ contentType: 'text/plain', body: '' }),
}
