// alertmanager.yml from the operator's settings (ops/lib/env.ts): grouping, reminders,
// "resolved" messages, inhibition, and the receivers the env file configures.
import { StopError } from '../errors.ts'
import type { OpsEnv } from '../env.ts'
import type { AlertRule } from './rules.ts'
import type { Thresholds } from './thresholds.ts'

/** The receiver integrations, as Alertmanager's metrics name them. */
export type Integration = 'webhook' | 'slack' | 'email'

export type ReceiverSettings = Pick<
  OpsEnv,
  | 'ALERT_WEBHOOK_URL'
  | 'ALERT_SLACK_WEBHOOK_URL'
  | 'ALERT_SLACK_CHANNEL'
  | 'ALERT_EMAIL_TO'
  | 'SMTP_SMARTHOST'
  | 'SMTP_FROM'
  | 'SMTP_USERNAME'
  | 'SMTP_PASSWORD'
  | 'SMTP_REQUIRE_TLS'
  | 'ALERT_WATCHDOG_URL'
  | 'ALERT_REPEAT_INTERVAL'
>

/** The integrations the settings configure, in the order `make alerts-test` reports them. */
export function configuredIntegrations(s: ReceiverSettings): Integration[] {
  const out: Integration[] = []
  if (s.ALERT_WEBHOOK_URL) out.push('webhook')
  if (s.ALERT_SLACK_WEBHOOK_URL) out.push('slack')
  if (s.ALERT_EMAIL_TO) out.push('email')
  return out
}

/** The test notification's name: routed to every receiver at once, never grouped with others. */
export const TEST_ALERT = 'AlertsTest'

export function alertmanagerConfig(t: Thresholds, s: ReceiverSettings, rules: AlertRule[]) {
  if (s.ALERT_EMAIL_TO && !(s.SMTP_SMARTHOST && s.SMTP_FROM)) {
    throw new StopError(
      'ALERT_EMAIL_TO is set but SMTP_SMARTHOST or SMTP_FROM is not',
      'set SMTP_SMARTHOST (host:port) and SMTP_FROM in compose/.env, see RUNBOOK.md#receivers'
    )
  }
  const operators = {
    name: 'operators',
    ...(s.ALERT_WEBHOOK_URL
      ? { webhook_configs: [{ url: s.ALERT_WEBHOOK_URL, send_resolved: true }] }
      : {}),
    ...(s.ALERT_SLACK_WEBHOOK_URL
      ? {
          slack_configs: [
            {
              api_url: s.ALERT_SLACK_WEBHOOK_URL,
              ...(s.ALERT_SLACK_CHANNEL ? { channel: s.ALERT_SLACK_CHANNEL } : {}),
              send_resolved: true,
              title:
                '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})',
              text: '{{ range .Alerts }}{{ .Annotations.summary }} {{ .Annotations.runbook_url }}\n{{ end }}',
            },
          ],
        }
      : {}),
    ...(s.ALERT_EMAIL_TO
      ? {
          email_configs: [
            {
              to: s.ALERT_EMAIL_TO,
              send_resolved: true,
              headers: {
                Subject:
                  '[medic-scribe {{ .Status | toUpper }}] {{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}',
              },
            },
          ],
        }
      : {}),
  }
  const inhibit = (source: 'SiteDown' | 'ProviderCircuitOpen') => {
    const targets = rules.filter((r) => r.inhibitedBy?.includes(source)).map((r) => r.alert)
    return targets.length
      ? [
          {
            source_matchers: [`alertname="${source}"`],
            target_matchers: [`alertname=~"${targets.join('|')}"`],
          },
        ]
      : []
  }
  return {
    global: {
      resolve_timeout: '5m',
      ...(s.SMTP_SMARTHOST
        ? {
            smtp_smarthost: s.SMTP_SMARTHOST,
            smtp_from: s.SMTP_FROM,
            smtp_require_tls: s.SMTP_REQUIRE_TLS,
            ...(s.SMTP_USERNAME ? { smtp_auth_username: s.SMTP_USERNAME } : {}),
            ...(s.SMTP_PASSWORD ? { smtp_auth_password: s.SMTP_PASSWORD } : {}),
          }
        : {}),
    },
    route: {
      receiver: 'operators',
      group_by: ['alertname'],
      group_wait: t.groupWait,
      group_interval: t.groupInterval,
      repeat_interval: s.ALERT_REPEAT_INTERVAL,
      routes: [
        {
          // The dead man's switch: expected every few minutes, its silence is what pages.
          matchers: ['alertname="Watchdog"'],
          receiver: 'watchdog',
          group_wait: '0s',
          repeat_interval: t.watchdogRepeat,
        },
        {
          // make alerts-test: each run is its own group (test_id), sent at once.
          matchers: [`alertname="${TEST_ALERT}"`],
          receiver: 'operators',
          group_by: ['alertname', 'test_id'],
          group_wait: '0s',
        },
      ],
    },
    receivers: [
      operators,
      {
        name: 'watchdog',
        ...(s.ALERT_WATCHDOG_URL
          ? { webhook_configs: [{ url: s.ALERT_WATCHDOG_URL, send_resolved: false }] }
          : {}),
      },
    ],
    // When the site is down, its consequences (API not ready, errors, a stuck queue) say
    // nothing new; a provider's open circuit explains a stuck queue the same way.
    inhibit_rules: [...inhibit('SiteDown'), ...inhibit('ProviderCircuitOpen')],
  }
}
