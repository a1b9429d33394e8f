// The edge's TLS in make scan: testssl.sh's real results of the stack's edge
// (tests/fixtures/testssl/) read by the scan's TLS part. A+ passes and shows in the terminal
// table, report.json and report.html; the same edge judged without its CA (grade T) fails the
// scan, naming the grade and what capped it.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gradeBelow } from '../../ops/lib/testssl.ts'
import { runScan } from '../../ops/steps/scan/index.ts'
import { renderTerminal } from '../../ops/steps/scan/report.ts'
import type { ScanReport } from '../../ops/steps/scan/report.ts'
import { scanOptions } from '../support/scan-options.ts'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'testssl')
const trusted = join(FIXTURES, 'edge-local-ca-trusted.json')
const untrusted = join(FIXTURES, 'edge-chain-untrusted.json')

describe('make scan: the TLS part', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scan-tls-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const scanTls = (name: string, json: string, minGrade = 'A+') =>
    runScan(
      scanOptions(join(dir, name), { parts: ['tls'], tls: { json, minGrade, name: 'localhost' } })
    )
  const written = async (name: string) => {
    const out = join(dir, name, 'out')
    return {
      json: JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ScanReport,
      html: await readFile(join(out, 'report.html'), 'utf8'),
    }
  }

  it('should pass on an A+ edge and show the grade in the terminal, report.json and report.html', async () => {
    const report = await scanTls('a-plus', trusted)
    expect(report?.passed).toBe(true)
    const { json, html } = await written('a-plus')
    expect(json.tls).toMatchObject({
      grade: 'A+',
      score: 96,
      minGrade: 'A+',
      target: 'edge https://localhost:8443',
      capReasons: [],
      protocols: { TLS1_2: true, TLS1_3: true, TLS1_1: false, TLS1: false },
    })
    // testssl.sh flags the missing CRL/OCSP HIGH: a finding, covered by a reviewed entry.
    expect(json.findings.map((f) => [f.id, !!f.allowlisted])).toEqual([
      ['tls.cert_revocation', true],
    ])
    expect(html).toContain('grade <b>A+</b> (score 96), expected A+ or better')
    expect(renderTerminal(json)).toMatch(
      /TLS of edge https:\/\/localhost:8443 \(testssl\.sh JSON .*\): grade A\+ \(score 96\), expected A\+ or better/
    )
  })

  it('should fail below the expected grade, naming the grade and what capped it', async () => {
    await expect(scanTls('untrusted', untrusted)).rejects.toThrow(
      /findings not on the allowlist: .*tls\.grade/
    )
    const { json, html } = await written('untrusted')
    expect(json.passed).toBe(false)
    const failing = json.findings.filter((f) => !f.allowlisted)
    expect(failing.map((f) => f.id).sort()).toEqual(['tls.cert_chain_of_trust', 'tls.grade'])
    expect(failing.find((f) => f.id === 'tls.grade')?.title).toBe(
      'testssl.sh graded it T (score 0), below the expected A+: Grade capped to T. Issues with the chain of trust (chain incomplete)'
    )
    expect(html).toContain('grade <b>T</b>')
    expect(renderTerminal(json)).toMatch(/high +tls\.grade +edge https:\/\/localhost:8443/)
  })

  it('should rank grades as testssl.sh does', () => {
    expect(gradeBelow('A', 'A+')).toBe(true)
    expect(gradeBelow('A+', 'A')).toBe(false)
    expect(gradeBelow('B', 'B')).toBe(false)
    expect(gradeBelow('T', 'F')).toBe(true)
    expect(gradeBelow(undefined, 'T')).toBe(true)
  })
})
