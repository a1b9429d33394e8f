// THE place where the monitor's thresholds and timings live (RUNBOOK.md#monitoring-and-alerts).
// The alert rules (rules.ts) and Alertmanager's timings (alertmanager-config.ts) are generated
// from these values; change a number here, run `make up`, and the rendered files follow.
//
// How long from a fault to a notification: the fault is seen at the next scrape (≤ scrape
// interval), the rule at the next evaluation (≤ evaluation interval), it must hold for `for`,
// then Alertmanager waits `groupWait` before the first notification of a group. From the fix to
// the "resolved" message: the next scrape and evaluation, then the group's next flush
// (≤ `groupInterval`). `make alerts-test` and tests/stack/monitor.test.ts measure it.

export type Thresholds = {
  /** Prometheus: how often it scrapes and evaluates the rules. */
  scrapeInterval: string
  evaluationInterval: string
  /** How often Prometheus looks the API replicas up in the compose network's DNS. */
  dnsRefresh: string
  /** Alertmanager: wait before a new group's first message, between a group's messages, and
   * before repeating a still-firing alert. */
  groupWait: string
  groupInterval: string
  /** How often the Watchdog reaches the dead man's switch (ALERT_WATCHDOG_URL). */
  watchdogRepeat: string
  /** Each alert's `for:`: how long the condition must hold, so one blip never pages. */
  for: {
    siteDown: string
    /** Longer than siteDown: when the site is down, SiteDown must be firing first to inhibit. */
    apiNotReady: string
    apiDown: string
    errorRate: string
    queueStuck: string
    queueGrowing: string
    circuitOpen: string
    certificate: string
    disk: string
    backup: string
    targetDown: string
  }
  /**
   * SiteDown stays firing this long after the site answers again, so that its consequences
   * (ApiDown, ApiNotReady: the replicas are found again through DNS, then scraped) resolve
   * while it still mutes them, and never page on the way out. More than dnsRefresh plus two
   * scrape intervals.
   */
  siteDownKeepFiring: string
  /** 5xx answers over all answers, over `errorWindow`, with at least `errorMinRate` req/s. */
  errorRatio: number
  errorWindow: string
  errorMinRate: number
  /** The oldest job not yet done or failed, in seconds. */
  queueOldestSeconds: number
  /** Waiting jobs above this, and more than `queueGrowthWindow` ago. */
  queueWaitingJobs: number
  queueGrowthWindow: string
  /** Days left on the certificate: a warning, and a critical alert for every certificate
   * (short-lived ones, CERT_SHORT_LIVED=true, only get the critical one). */
  certificateWarnDays: number
  certificateCriticalDays: number
  /** Free space on audio, notes and pgdata, as a fraction of the volume's file system. */
  diskFreeRatio: number
  /** Age of the last successful `make backup`. */
  backupMaxAgeHours: number
}

/** Production defaults. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  scrapeInterval: '15s',
  evaluationInterval: '15s',
  dnsRefresh: '30s',
  groupWait: '30s',
  groupInterval: '2m',
  watchdogRepeat: '5m',
  for: {
    siteDown: '2m',
    apiNotReady: '3m',
    apiDown: '3m',
    errorRate: '5m',
    queueStuck: '5m',
    queueGrowing: '15m',
    circuitOpen: '5m',
    certificate: '1h',
    disk: '10m',
    backup: '10m',
    targetDown: '5m',
  },
  siteDownKeepFiring: '1m',
  errorRatio: 0.05,
  errorWindow: '5m',
  errorMinRate: 0.05,
  queueOldestSeconds: 15 * 60,
  queueWaitingJobs: 20,
  queueGrowthWindow: '30m',
  certificateWarnDays: 14,
  certificateCriticalDays: 3,
  diskFreeRatio: 0.15,
  backupMaxAgeHours: 26,
}

/**
 * The stack suite's timings: seconds instead of minutes, same thresholds otherwise (so the
 * rules under test are the production rules with shorter clocks).
 */
export const TEST_THRESHOLDS: Thresholds = {
  ...DEFAULT_THRESHOLDS,
  scrapeInterval: '1s',
  evaluationInterval: '1s',
  dnsRefresh: '1s',
  groupWait: '1s',
  groupInterval: '2s',
  watchdogRepeat: '1h',
  for: {
    siteDown: '3s',
    apiNotReady: '10s',
    apiDown: '10s',
    errorRate: '3s',
    queueStuck: '3s',
    queueGrowing: '3s',
    circuitOpen: '3s',
    certificate: '3s',
    disk: '3s',
    backup: '3s',
    targetDown: '10s',
  },
  siteDownKeepFiring: '4s',
  errorWindow: '20s',
  queueGrowthWindow: '20s',
}
