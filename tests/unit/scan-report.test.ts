import { describe, expect, it } from 'vitest'
import { renderHtml, renderTerminal } from '../../ops/steps/scan/report.ts'
import type { ScanReport } from '../../ops/steps/scan/report.ts'
import { findingsFromTrivy } from '../../ops/steps/scan/trivy-report.ts'
import { locateInPatch } from '../../ops/steps/scan/repository.ts'

const report = (over: Partial<ScanReport> = {}): ScanReport => ({
  startedAt: '2026-12-01T03:00:00.000Z',
  seconds: 42,
  trivy: '0.74.0 (cache)',
  passed: false,
  findings: [
    {
      id: 'hardening.cap-drop-all',
      target: 'local:api',
      source: 'compose',
      severity: 'high',
      title: 'capabilities not dropped <script>alert(1)</script>',
      fix: 'cap_drop: [ALL]',
    },
    {
      id: 'DS-0026',
      target: 'repo: compose/images/api/Dockerfile',
      source: 'config',
      severity: 'low',
      title: 'No HEALTHCHECK defined',
      allowlisted: { reason: 'compose sets it', expires: '2027-01-01' },
    },
  ],
  warnings: ['Vulnerabilities were NOT checked: no vulnerability database'],
  checked: [{ part: 'images', what: '4 images' }],
  images: [],
  sboms: [{ name: 'medic-scribe/api:t1', file: 'sbom/api.cdx.json', components: 312 }],
  runtimes: [],
  probe: {
    base: 'https://localhost:8443',
    routes: 1,
    calls: [
      { route: 'GET /api/notes/:id', case: 'no token', status: 401, expected: '401', ok: true },
      {
        route: 'GET /api/notes/:id',
        case: "another user's token",
        status: 200,
        expected: '404',
        ok: false,
      },
    ],
  },
  allowlist: {
    entries: [{ id: 'DS-0026', reason: 'compose sets it', expires: '2027-01-01' }],
    unused: [],
  },
  parts: ['images', 'probe'],
  ...over,
})

describe('scan report', () => {
  it('should print warnings, the probe, the SBOMs and each finding, and the verdict', () => {
    const text = renderTerminal(report())
    expect(text).toMatch(/^! Vulnerabilities were NOT checked/)
    expect(text).toMatch(/GET \/api\/notes\/:id\s+401 200✗/)
    expect(text).toMatch(/medic-scribe\/api:t1\s+312/)
    expect(text).toMatch(/high\s+hardening\.cap-drop-all\s+local:api/)
    expect(text).toMatch(/DS-0026.*until 2027-01-01/)
    expect(text).toMatch(/2 findings, 1 allowlisted, 1 failing: FAILED$/)
  })

  it('should write one self-contained HTML page with everything escaped', () => {
    const html = renderHtml(report())
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).not.toMatch(/<script|<link|src=|href=/)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('FAILED: 1 failing of 2 findings')
    expect(html).toContain('<tr class="fail"><td>GET /api/notes/:id</td>')
  })

  it("should turn trivy's report into findings, vulnerabilities gated by severity", () => {
    const { findings, counts } = findingsFromTrivy(
      {
        Results: [
          {
            Target: 'app/.env',
            Secrets: [
              {
                RuleID: 'aws-access-key-id',
                Title: 'AWS Access Key ID',
                Severity: 'CRITICAL',
                StartLine: 2,
                Layer: { CreatedBy: 'COPY .env /app/' },
              },
            ],
            Vulnerabilities: [
              { VulnerabilityID: 'CVE-1', PkgName: 'libx', InstalledVersion: '1', Severity: 'LOW' },
              {
                VulnerabilityID: 'CVE-2',
                PkgName: 'liby',
                InstalledVersion: '2',
                FixedVersion: '3',
                Severity: 'HIGH',
              },
            ],
          },
        ],
      },
      { where: 'image x:t', source: 'image' }
    )
    expect(counts).toEqual({ secrets: 1, misconfigurations: 0, vulnerabilities: 2 })
    expect(findings.map((f) => [f.id, f.target])).toEqual([
      ['secret.aws-access-key-id', 'image x:t: app/.env:2'],
      ['CVE-2', 'image x:t: liby@2'],
    ])
    expect(findings[0]!.title).toContain('COPY .env /app/')
  })

  it('should name the commit and file of a line of git log -p', () => {
    const patch = [
      'commit 0123456789abcdef',
      'Author: x',
      '',
      'diff --git a/k.pem b/k.pem',
      '+++ b/k.pem',
      '+-----BEGIN',
    ]
    expect(locateInPatch(patch, 6)).toBe('0123456789ab:k.pem')
  })
})
