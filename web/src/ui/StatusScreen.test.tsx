import { render, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { auth } from '../lib/auth.ts'
import type { AdminStatus, StatusSeries, Tile } from '../lib/types.ts'
import StatusScreen from './StatusScreen.tsx'

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

const tile = (over: Partial<Tile> & Pick<Tile, 'metric' | 'label' | 'unit'>): Tile => ({
  series: '',
  value: 1,
  state: 'ok',
  threshold: null,
  ...over,
})

const STATUS: AdminStatus = {
  generated_at: '2026-12-01T07:00:00.000Z',
  monitor: { available: true, reason: null },
  tiles: [
    tile({ metric: 'site_up', label: 'Site (through the edge)', unit: 'boolean' }),
    tile({
      metric: 'disk_free_ratio',
      series: 'audio',
      label: 'Free disk: audio',
      unit: 'ratio',
      value: 0.1,
      state: 'critical',
      threshold: 0.15,
    }),
    tile({
      metric: 'backup_age_seconds',
      label: 'Last successful backup',
      unit: 'seconds',
      value: null,
      state: 'warning',
      threshold: 93600,
    }),
  ],
  alerts: [
    {
      name: 'DiskSpaceLow',
      severity: 'critical',
      summary: 'Less than 15 % free on the audio volume',
      since: '2026-12-01T06:50:00.000Z',
      state: 'firing',
    },
    {
      name: 'BackupTooOld',
      severity: 'warning',
      summary: 'No successful backup',
      since: '2026-12-01T06:00:00.000Z',
      state: 'silenced',
    },
  ],
}

const series = (
  metric: string,
  name: string,
  values: (number | null)[],
  range = '24h'
): StatusSeries =>
  ({
    metric,
    range,
    step_seconds: 360,
    timestamps: values.map((_, i) => 1_764_547_200 + i * 360),
    series: [{ series: name, label: name, values }],
  }) as StatusSeries

let calls: string[] = []
function serve(answer: (url: string) => Response) {
  calls = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      calls.push(url)
      return answer(url)
    })
  )
}

beforeEach(() => auth.signIn('test-token', 3600, 'admin@example.org'))
afterEach(() => {
  vi.unstubAllGlobals()
  auth.signOut()
})

describe('StatusScreen', () => {
  it('shows each tile in words, its chart described, and the alerts', async () => {
    serve((url) => {
      if (url === '/api/admin/status') return json(STATUS)
      const q = new URL(url, 'http://x').searchParams
      const metric = q.get('metric')!
      // A day of disk data; the other metrics have three samples (a monitor started minutes
      // ago), so the screen asks for their last hour.
      if (metric === 'disk_free_ratio')
        return json(series(metric, 'audio', [0.4, null, ...Array(10).fill(0.2), 0.1]))
      return json(series(metric, '', [1, 1, 0], q.get('range')!))
    })
    render(<StatusScreen />)
    const disk = (await screen.findByRole('heading', { name: 'Free disk: audio' })).closest('li')!
    expect(within(disk).getByText('10 % free')).toBeTruthy()
    expect(within(disk).getByText('Act now')).toBeTruthy()
    const chart = await within(disk).findByRole('img')
    expect(chart.getAttribute('aria-label')).toBe(
      'Free disk: audio, last 24 hours, lowest 10 % free, highest 40 % free, latest 10 % free, threshold 15 % free'
    )
    const backup = screen.getByRole('heading', { name: 'Last successful backup' }).closest('li')!
    expect(within(backup).getByText('Never')).toBeTruthy()
    expect(within(backup).getByText('Check')).toBeTruthy()
    expect((await within(backup).findByRole('img')).getAttribute('aria-label')).toMatch(
      /^Last successful backup, last hour, /
    )
    const site = screen.getByRole('heading', { name: 'Site (through the edge)' }).closest('li')!
    expect(within(site).getByText('Up')).toBeTruthy()

    const alerts = within(screen.getByRole('region', { name: 'Alerts' })).getAllByRole('listitem')
    expect(alerts.map((a) => a.textContent)).toEqual([
      expect.stringMatching(/^DiskSpaceLow firing critical.*Less than 15 % free/),
      expect.stringMatching(/^BackupTooOld silenced warning/),
    ])
    // A tile names its metric and a range, never a query; the last hour only where a day
    // holds too few samples.
    expect(calls.filter((u) => u.startsWith('/api/admin/status/series')).sort()).toEqual([
      '/api/admin/status/series?metric=backup_age_seconds&range=1h',
      '/api/admin/status/series?metric=backup_age_seconds&range=24h',
      '/api/admin/status/series?metric=disk_free_ratio&range=24h',
      '/api/admin/status/series?metric=site_up&range=1h',
      '/api/admin/status/series?metric=site_up&range=24h',
    ])
  })

  it('tells a clinician the screen is for admins only', async () => {
    serve(() => json({ error: { code: 'FORBIDDEN', message: 'admins only' } }, 403))
    render(<StatusScreen />)
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Admins only/)
    expect(screen.queryByRole('list', { name: 'Health' })).toBeNull()
  })

  it('says the monitor is not running when the API answers 503', async () => {
    serve(() =>
      json(
        {
          ...STATUS,
          monitor: { available: false, reason: 'Prometheus does not answer (fetch failed)' },
          tiles: [],
          alerts: [],
        },
        503
      )
    )
    render(<StatusScreen />)
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The monitor is not running, so there is nothing to show: Prometheus does not answer (fetch failed)'
    )
    expect(screen.queryByRole('region', { name: 'Alerts' })).toBeNull()
  })
})
