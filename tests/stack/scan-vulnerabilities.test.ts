// The vulnerability gate of make scan, end to end, with a vulnerability database of the test's
// own: built the way Trivy's own tests build theirs (bolt-fixtures YAML loaded with the trivy-db
// module trivy v0.74.0 uses, tests/support/trivy-fixture-db/), holding ONE advisory against the
// gzip version the suite's api image really has (read from the image's dpkg database). The
// finding appears with its id and fails the scan; an allowlist entry with a reason silences
// it; the same entry past its expiry fails the scan again. Only the api image is scanned.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { DEFAULT_TAG, imageRef } from '../../ops/lib/images.ts'
import type { ScanReport } from '../../ops/steps/scan/report.ts'
import { ensureTrivyFixtureDb } from '../../ops/steps/tools/trivy-fixture-db.ts'
import { installTrivy } from './install-trivy.ts'
import { ops } from './ops-script.ts'

const exec = promisify(execFile)
const stack = inject('stack')
/** A made-up id: no real advisory can be confused with it. */
const ADVISORY = 'CVE-2099-10001'

describe.skipIf(!stack)('make scan with a vulnerability database', () => {
  const api = imageRef('api', DEFAULT_TAG)
  let dir: string
  let gzip: { source: string; version: string; debian: string }
  const figures: string[] = []

  const env = () => ({
    // The test's database, and only the suite's settings (never the operator's compose/.env).
    TRIVY_CACHE_DIR: join(dir, 'trivy-cache'),
    SCRIBE_ENV_FILE: join(dir, 'no-env-file'),
    SCRIBE_TAG: DEFAULT_TAG,
    STACK_MODE: 'local',
  })
  const scan = async (name: string, allowlist: string) => {
    const file = join(dir, `${name}.yml`)
    await writeFile(file, allowlist)
    const out = join(dir, name)
    const started = performance.now()
    const run = await ops(
      'scan.ts',
      ['--only', 'images', '--images', 'api', '--require-vulns', '--allowlist', file, '--out', out],
      env()
    )
    figures.push(
      `${name}: exit ${run.code} in ${((performance.now() - started) / 1000).toFixed(1)} s`
    )
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ScanReport
    return { ...run, report, ours: report.findings.filter((f) => f.id === ADVISORY) }
  }
  const entry = (expires: string) =>
    `entries:\n  - id: ${ADVISORY}\n    target: 'image ${api}: gzip@${gzip.version}'\n    reason: the fixture advisory of the vulnerability gate test, reviewed by the test\n    expires: '${expires}'\n`
  const day = (offset: number) =>
    new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scan-vulns-'))
    const started = performance.now()
    await installTrivy()
    const builder = await ensureTrivyFixtureDb()
    // What the image really holds: gzip's source package and version, and the Debian release.
    const { stdout } = await exec('docker', [
      ...['run', '--rm', '--network', 'none', '--entrypoint', 'sh', api, '-c'],
      "dpkg-query -W -f '${source:Package} ${source:Version}' gzip; echo; cut -d. -f1 /etc/debian_version",
    ])
    const [pkg, debian] = stdout.trim().split('\n')
    const [source, version] = pkg!.split(' ')
    gzip = { source: source!, version: version!, debian: debian! }
    // The layout of trivy's own fixtures (integration/testdata/fixtures/db/*.yaml): the data
    // source, the advisory under "debian <major>" / <source package>, the vulnerability's details.
    // Fixed in a version just above the installed one, so the installed one is affected.
    const fixture = join(dir, 'advisory.yaml')
    await writeFile(
      fixture,
      `- bucket: data-source
  pairs:
    - key: debian ${gzip.debian}
      value:
        ID: debian
        Name: Debian Security Tracker
        URL: https://salsa.debian.org/security-tracker-team/security-tracker
- bucket: debian ${gzip.debian}
  pairs:
    - bucket: ${gzip.source}
      pairs:
        - key: ${ADVISORY}
          value:
            FixedVersion: "${gzip.version}+fixture1"
- bucket: vulnerability
  pairs:
    - key: ${ADVISORY}
      value:
        Title: "gzip: the vulnerability gate's fixture advisory"
        Severity: HIGH
`
    )
    const built = await exec(builder, ['--cache-dir', env().TRIVY_CACHE_DIR, fixture])
    expect(built.stdout).toContain(`vulnerability ${ADVISORY}`)
    figures.push(
      `gzip ${gzip.version} (source ${gzip.source}, debian ${gzip.debian}); database ready in ${((performance.now() - started) / 1000).toFixed(1)} s`
    )
  }, 45 * 60_000)
  afterAll(async () => {
    console.log(`scan-vulnerabilities figures:\n  ${figures.join('\n  ')}`)
    await rm(dir, { recursive: true, force: true })
  })

  it('should name the advisory and fail the scan', async () => {
    const run = await scan('no-entry', 'entries: []\n')
    expect(run.code, run.out.slice(-2000)).toBe(1)
    expect(run.ours).toEqual([
      {
        id: ADVISORY,
        target: `image ${api}: gzip@${gzip.version}`,
        source: 'image',
        severity: 'high',
        title: "gzip: the vulnerability gate's fixture advisory",
        fix: `upgrade to ${gzip.version}+fixture1`,
      },
    ])
    expect(run.report.images.map((i) => [i.ref, i.vulnerabilities])).toEqual([[api, 1]])
    expect(run.report.warnings.join('\n')).not.toMatch(/NOT checked: no vulnerability database/)
    expect(run.out).toMatch(new RegExp(`findings not on the allowlist: ${ADVISORY}`))
  })

  it('should pass with an allowlist entry that gives a reason', async () => {
    const run = await scan('allowlisted', entry(day(30)))
    expect(run.code, run.out.slice(-2000)).toBe(0)
    expect(run.ours.map((f) => f.allowlisted)).toEqual([
      {
        reason: 'the fixture advisory of the vulnerability gate test, reviewed by the test',
        expires: day(30),
      },
    ])
    expect(run.report.passed).toBe(true)
  })

  it('should fail again once that entry has expired', async () => {
    const run = await scan('expired', entry(day(-1)))
    expect(run.code, run.out.slice(-2000)).toBe(1)
    const failing = run.report.findings.filter((f) => !f.allowlisted).map((f) => f.id)
    expect(failing.sort()).toEqual([ADVISORY, 'allowlist.expired'].sort())
  })
})
