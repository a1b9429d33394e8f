import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { applyAllowlist, parseAllowlist } from '../../ops/steps/scan/allowlist.ts'
import { DEFAULT_ALLOWLIST } from '../../ops/steps/scan/context.ts'
import type { Finding } from '../../ops/steps/scan/findings.ts'
import { blocking } from '../../ops/steps/scan/findings.ts'
import { judgeNodeVersion } from '../../ops/steps/scan/node-eol.ts'
import { judgeTrivyVersion } from '../../ops/steps/scan/trivy-version.ts'

const finding = (id: string, target = 'image medic-scribe/api:t1'): Finding => ({
  id,
  target,
  source: 'image',
  severity: 'high',
  title: id,
})

const yml = `
entries:
  - id: DS-0026
    reason: the healthcheck is set in compose, not in this Dockerfile
    expires: 2027-03-01
  - id: CVE-2026-0001
    target: 'image medic-scribe/api:t1: libfoo@1.2'
    reason: not reachable, the library is never loaded by the api
    expires: '2026-11-30'
`

describe('scan allowlist', () => {
  it('should parse the shipped allowlist', () => {
    expect(() => parseAllowlist(readFileSync(DEFAULT_ALLOWLIST, 'utf8'), 'x')).not.toThrow()
  })

  it('should refuse an entry without a reason or an expiry', () => {
    expect(() => parseAllowlist('entries: [{ id: X, expires: 2027-01-01 }]', 'f.yml')).toThrow(
      /entries\.0\.reason/
    )
    expect(() => parseAllowlist('entries: [{ id: X, reason: long enough reason }]', 'f')).toThrow(
      /expires/
    )
  })

  it('should cover a finding until the end of its expiry day, then fail as expired', () => {
    const entries = parseAllowlist(yml, 'f.yml')
    const findings = [
      finding('DS-0026'),
      finding('CVE-2026-0001', 'image medic-scribe/api:t1: libfoo@1.2'),
    ]

    const live = applyAllowlist(findings, entries, '2026-11-30')
    expect(blocking(live.findings)).toEqual([])

    const later = applyAllowlist(findings, entries, '2026-12-01')
    expect(blocking(later.findings).map((f) => f.id)).toEqual([
      'CVE-2026-0001',
      'allowlist.expired',
    ])
    expect(later.findings.find((f) => f.id === 'allowlist.expired')!.title).toMatch(
      /expired on 2026-11-30.*not reachable/
    )
  })

  it('should match the target when an entry names one, and report entries that match nothing', () => {
    const entries = parseAllowlist(yml, 'f.yml')
    const other = finding('CVE-2026-0001', 'image medic-scribe/edge:t1: libfoo@1.2')
    const r = applyAllowlist([other], entries, '2026-01-01')
    expect(blocking(r.findings)).toHaveLength(1)
    expect(r.unused.map((e) => e.id)).toEqual(['DS-0026', 'CVE-2026-0001'])
  })
})

describe('trivy version check', () => {
  it.each(['0.69.4', '0.69.5', '0.69.6'])('should refuse %s by name', (v) => {
    const verdict = judgeTrivyVersion(`Version: ${v}\n`)
    expect(verdict).toMatchObject({ ok: false, refused: true, version: v })
  })

  it('should accept the pinned release and clean neighbours, not dev builds or old ones', () => {
    expect(judgeTrivyVersion('Version: 0.74.0\nVulnerability DB: ...')).toEqual({
      ok: true,
      version: '0.74.0',
    })
    expect(judgeTrivyVersion('Version: 0.69.3')).toMatchObject({ ok: true })
    expect(judgeTrivyVersion('Version: dev')).toMatchObject({ ok: false, refused: false })
    expect(judgeTrivyVersion('Version: 0.50.1')).toMatchObject({ ok: false, refused: false })
  })
})

describe('node end of life', () => {
  it('should judge the runtime against the table and today', () => {
    expect(judgeNodeVersion('v26.10.0', '2026-12-01')).toMatchObject({
      state: 'supported',
      eol: '2029-04-30',
    })
    expect(judgeNodeVersion('v20.20.2', '2026-12-01')).toMatchObject({ state: 'ended' })
    expect(judgeNodeVersion('v22.1.0', '2027-03-01')).toMatchObject({
      state: 'ending',
      daysLeft: 60,
    })
    expect(judgeNodeVersion('v99.0.0', '2026-12-01')).toEqual({ state: 'unknown', major: 99 })
  })
})

describe('finding trivy', () => {
  it('should refuse a compromised trivy on PATH by name, whatever else is there', async () => {
    const { mkdtemp, writeFile, chmod, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { findTrivy } = await import('../../ops/steps/scan/trivy.ts')
    const dir = await mkdtemp(join(tmpdir(), 'fake-trivy-'))
    const path = process.env.PATH
    try {
      await writeFile(join(dir, 'trivy'), '#!/bin/sh\necho "Version: 0.69.4"\n')
      await chmod(join(dir, 'trivy'), 0o755)
      process.env.PATH = `${dir}:${path}`
      await expect(findTrivy({ toolsDir: join(dir, 'tools') })).rejects.toThrow(
        /refusing .*trivy \(PATH\): trivy 0\.69\.4 is a compromised release/
      )
      await writeFile(join(dir, 'trivy'), '#!/bin/sh\necho "Version: 0.74.0"\n')
      expect(await findTrivy({ toolsDir: join(dir, 'tools') })).toMatchObject({
        version: '0.74.0',
        origin: 'PATH',
      })
    } finally {
      process.env.PATH = path
      await rm(dir, { recursive: true, force: true })
    }
  })
})
