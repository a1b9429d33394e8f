import { describe, expect, it } from 'vitest'
import { countTraffic, judgeErrorRate } from '../../ops/lib/error-rate.ts'
import { parseUpstream, renderUpstream } from '../../ops/lib/edge-upstream.ts'
import { formatHistory, historyLine, parseHistory } from '../../ops/lib/history.ts'
import type { HistoryEntry } from '../../ops/lib/history.ts'
import { planOf } from '../../ops/lib/pipeline.ts'
import { createReleaseContext } from '../../ops/steps/deploy/context.ts'
import type { ReleaseOptions } from '../../ops/steps/deploy/options.ts'
import { releasePipeline } from '../../ops/steps/deploy/release.ts'
import {
  liveVersions,
  previousVersion,
  releasesToPrune,
  versionFromGit,
} from '../../ops/lib/release.ts'

const entry = (e: Partial<HistoryEntry> & Pick<HistoryEntry, 'version'>): HistoryEntry => ({
  kind: 'deploy',
  previous: null,
  result: 'ok',
  who: 'op@host',
  at: '2026-01-01T10:00:00.000Z',
  seconds: 20,
  ...e,
})

describe('release versions', () => {
  it('should name a release after the short commit, with -dirty for local changes', () => {
    expect(versionFromGit('0123456789abcdef0123\n', false)).toBe('0123456789ab')
    expect(versionFromGit('0123456789abcdef', true)).toBe('0123456789ab-dirty')
    expect(() => versionFromGit('not-a-sha', false)).toThrow(/not a git commit/)
  })

  it('should roll back to what was live before the current release was deployed', () => {
    const h = [
      entry({ version: 'a', previous: 'local' }),
      entry({ version: 'b', previous: 'a' }),
      entry({ version: 'c', previous: 'b', result: 'rolled-back' }),
    ]
    expect(previousVersion(h, 'b')).toBe('a')
    // After rolling back to a, the next rollback walks further back, it does not toggle to b.
    const after = [...h, entry({ kind: 'rollback', version: 'a', previous: 'b' })]
    expect(previousVersion(after, 'a')).toBe('local')
    expect(previousVersion([], 'a')).toBeUndefined()
  })

  it('should list live versions newest first, counting a failed run as its previous', () => {
    const h = [
      entry({ version: 'a', previous: 'local' }),
      entry({ version: 'b', previous: 'a', result: 'failed' }),
    ]
    expect(liveVersions(h)).toEqual(['a', 'local'])
  })

  it('should prune only releases it deployed, beyond the newest N', () => {
    const h = ['a', 'b', 'c', 'd'].map((v, i, all) =>
      entry({ version: v, previous: i ? all[i - 1]! : 'local' })
    )
    expect(releasesToPrune(h, 'd', 3)).toEqual(['a'])
    expect(releasesToPrune(h, 'd', 2)).toEqual(['b', 'a'])
    expect(releasesToPrune(h, 'd', 10)).toEqual([])
    // `local` went live before any deploy, but no deploy made it: never removed.
    expect(releasesToPrune(h, 'd', 1)).not.toContain('local')
  })

  it('should plan a transfer only for a remote target or when forced, from the steps that run', () => {
    const base: ReleaseOptions = {
      kind: 'deploy',
      dryRun: true,
      version: undefined,
      project: 'p',
      mode: 'local',
      envFile: '/x/.env',
      overlays: [],
      context: undefined,
      transfer: 'if-missing',
      healthTimeoutS: 120,
      watchS: 20,
      maxErrorRate: 0.01,
      keep: 3,
      drainS: 30,
      minFreeMB: 2048,
      build: true,
      allowDirty: false,
    }
    // What the dry run prints for the steps that change something: the same step objects.
    const plan = (o: Partial<ReleaseOptions>, remote = false) => {
      const c = createReleaseContext({ ...base, ...o })
      Object.assign(c, {
        target: { label: 't', remote },
        current: { name: 'p-api-1', image: 'medic-scribe/api:a', version: 'a', running: true },
        version: 'b',
      })
      return releasePipeline.steps
        .filter((s) => s.changes && (s.when?.(c) ?? true))
        .map((s) => planOf(s, c))
        .join('\n')
    }
    const local = plan({})
    expect(local).not.toContain('docker save')
    expect(local).toContain('build medic-scribe/api:b from the git tree')
    expect(local).toContain('more than 1.0% 5xx goes back to a')
    expect(plan({}, true)).toContain(
      'send medic-scribe/api:b to the target (docker save | docker load)'
    )
    expect(plan({ transfer: 'always' })).toContain('docker save')
    expect(plan({ transfer: 'never' }, true)).not.toContain('docker save')
    expect(plan({ build: false })).not.toContain('build medic')
    // A rollback and a failure are not part of the plan of a run that goes well.
    expect(
      releasePipeline.always?.every((s) => s.when?.(createReleaseContext(base)) === false)
    ).toBe(true)
  })
})

describe('edge upstream', () => {
  it('should render and read back the include nginx loads', () => {
    const text = renderUpstream('medic-scribe-api-2:8080')
    expect(text).toBe('set $api http://medic-scribe-api-2:8080;\n')
    expect(parseUpstream(text)).toBe('medic-scribe-api-2:8080')
    expect(parseUpstream('garbage')).toBeUndefined()
  })

  it('should refuse anything that is not host:port (no nginx injection)', () => {
    for (const bad of ['api', 'api:80; return 200', 'http://api:8080', 'api:8080\n'])
      expect(() => renderUpstream(bad)).toThrow(/host:port/)
  })
})

describe('history', () => {
  it('should round-trip entries and skip damaged lines', () => {
    const a = entry({ version: 'a' })
    const b = entry({ version: 'b', previous: 'a', result: 'rolled-back', reason: 'smoke failed' })
    const text = historyLine(a) + 'not json\n' + '{"kind":"deploy"}\n' + historyLine(b)
    const { entries, skipped } = parseHistory(text)
    expect(entries).toEqual([a, b])
    expect(skipped).toBe(2)
  })

  it('should print newest first with the reason of a rollback', () => {
    const table = formatHistory([
      entry({ version: 'a' }),
      entry({ version: 'b', previous: 'a', result: 'rolled-back', reason: 'unhealthy' }),
    ])
    const lines = table.split('\n')
    expect(lines[0]).toMatch(/^when \(UTC\)\s+kind\s+version\s+from\s+result/)
    expect(lines[1]).toMatch(/deploy\s+b\s+a\s+rolled-back\s+20 s\s+op@host\s+unhealthy$/)
    expect(lines[2]).toContain(' a ')
    expect(formatHistory([])).toMatch(/no deploys/)
  })
})

describe('error rate through the edge', () => {
  const log = [
    '172.18.0.5 [01/Jan/2026:10:00:00 +0000] "GET /health/live HTTP/1.1" 200 35 0.002 "node" abc',
    '172.18.0.5 [01/Jan/2026:10:00:00 +0000] "GET /api/notes HTTP/1.1" 200 35 0.010 "node" abc',
    '172.18.0.5 [01/Jan/2026:10:00:00 +0000] "POST /api/auth/login HTTP/1.1" 429 35 0.000 "node" abc',
    '172.18.0.5 [01/Jan/2026:10:00:01 +0000] "GET /api/notes/x HTTP/2.0" 503 80 0.001 "curl" abc',
    '172.18.0.5 [01/Jan/2026:10:00:01 +0000] "GET /assets/app.js HTTP/2.0" 500 80 0.001 "curl" abc',
    '2026/01/01 10:00:00 [notice] 1#1: signal process started',
  ].join('\n')

  it('should count only proxied requests, and 5xx as errors', () => {
    const c = countTraffic(log)
    expect(c).toEqual({ total: 4, errors: 1, byStatus: { '200': 2, '429': 1, '503': 1 } })
  })

  it('should judge the rate against the limit, counting probe failures that never reached the edge', () => {
    const c = countTraffic(log)
    expect(judgeErrorRate(c, 0.01).ok).toBe(false)
    expect(judgeErrorRate(c, 0.3).ok).toBe(true)
    expect(judgeErrorRate({ total: 0, errors: 0, byStatus: {} }, 0.01)).toMatchObject({
      ok: true,
      rate: 0,
    })
    const none = { total: 99, errors: 0, byStatus: {} }
    expect(judgeErrorRate(none, 0.01, 1).summary).toBe(
      '1 error(s) in 100 request(s) (1.0%, limit 1.0%)'
    )
  })
})
