// prometheus.yml and blackbox.yml: what the monitor scrapes and probes, on the compose network.
import type { Thresholds } from './thresholds.ts'

/** Where the rendered files are mounted in the monitor's containers. */
export const CONFIG_MOUNT = '/etc/monitor'
/** The stack's CA, copied next to the configs in local mode (the edge's certificate issuer). */
export const CA_FILE = 'ca.crt'

const seconds = (d: string): number => {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(d)
  if (!m) throw new Error(`not a duration: ${d}`)
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd']
  return Number(m[1]) * unit
}

/** A scrape may take at most its interval, and 10 s (Prometheus's default) when that is longer. */
const scrapeTimeout = (t: Thresholds): string => `${Math.min(10, seconds(t.scrapeInterval))}s`

/** A probe through the blackbox exporter, with the target in ?target= as it expects. */
const probed = (module: string) => [
  { source_labels: ['__address__'], target_label: '__param_target' },
  { source_labels: ['__param_target'], target_label: 'instance' },
  { target_label: '__address__', replacement: 'blackbox:9115' },
  { target_label: '__param_module', replacement: module },
]

export function prometheusConfig(t: Thresholds) {
  // Every API replica: compose's DNS answers the service name with one address per container.
  const apiReplicas = [{ names: ['api'], type: 'A', port: 8080, refresh_interval: t.dnsRefresh }]
  return {
    global: {
      scrape_interval: t.scrapeInterval,
      scrape_timeout: scrapeTimeout(t),
      evaluation_interval: t.evaluationInterval,
      external_labels: { monitor: 'medic-scribe' },
    },
    // Relative to this file: /etc/monitor in the container, any folder for promtool.
    rule_files: ['rules.yml'],
    alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] },
    scrape_configs: [
      { job_name: 'api', metrics_path: '/metrics', dns_sd_configs: apiReplicas },
      {
        // The site as a clinician's browser reaches it: HTTPS through the edge, its certificate
        // checked against the stack's CA (local) or the system's roots (production).
        job_name: 'site',
        metrics_path: '/probe',
        static_configs: [{ targets: ['https://edge:8443/health/live'] }],
        relabel_configs: probed('site'),
      },
      {
        // Readiness names a database or volume problem. The edge keeps /health/ready private
        // (tests/stack/edge.test.ts), so each replica is probed on the compose network.
        job_name: 'api-ready',
        metrics_path: '/probe',
        dns_sd_configs: apiReplicas,
        relabel_configs: [
          {
            source_labels: ['__address__'],
            target_label: '__address__',
            replacement: 'http://$1/health/ready',
          },
          ...probed('api_ready'),
        ],
      },
      {
        job_name: 'node',
        static_configs: [{ targets: ['node-exporter:9100'] }],
        // /volumes/audio → volume="audio": the disk alert names the volume.
        metric_relabel_configs: [
          {
            source_labels: ['mountpoint'],
            regex: '/volumes/(.+)',
            target_label: 'volume',
            replacement: '$1',
          },
        ],
      },
      { job_name: 'blackbox', static_configs: [{ targets: ['blackbox:9115'] }] },
      { job_name: 'alertmanager', static_configs: [{ targets: ['alertmanager:9093'] }] },
      { job_name: 'prometheus', static_configs: [{ targets: ['localhost:9090'] }] },
    ],
  }
}

export function blackboxConfig(t: Thresholds, o: { serverName: string; localCa: boolean }) {
  // Below the scrape timeout, so a slow answer is a failed probe rather than a failed scrape.
  const timeout = `${Math.max(1, seconds(scrapeTimeout(t)) - 0.5)}s`
  return {
    modules: {
      site: {
        prober: 'http',
        timeout,
        http: {
          method: 'GET',
          valid_status_codes: [200],
          fail_if_not_ssl: true,
          preferred_ip_protocol: 'ip4',
          tls_config: {
            server_name: o.serverName,
            ...(o.localCa ? { ca_file: `${CONFIG_MOUNT}/${CA_FILE}` } : {}),
          },
        },
      },
      api_ready: {
        prober: 'http',
        timeout,
        http: { method: 'GET', valid_status_codes: [200], preferred_ip_protocol: 'ip4' },
      },
    },
  }
}
