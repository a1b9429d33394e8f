// make scan on the suite's images and running stack: it passes with today's allowlist, and a
// planted secret in an image layer, a service without cap_drop and an expired allowlist entry
// each fail it with a named finding. (A route that forgets its auth check fails the scan in
// tests/unit/scan-probe.test.ts, against a test-only app; the fixture vulnerability in
// scan-vulnerabilities.test.ts.)
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { DEFAULT_TAG, imageRef } from '../../ops/lib/images.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import type { ScanReport } from '../../ops/steps/scan/report.ts'
import { installTrivy } from './install-trivy.ts'
import { ops } from './ops-script.ts'
import { connect } from './stack.ts'

const exec = promisify(execFile)
const stack = inject('stack')

describe.skipIf(!stack)('make scan', () => {
  const s = connect(stack!)
  const planted = `medic-scribe/scan-planted:${DEFAULT_TAG}`
  let dir: string
  const env = () => ({
    ...stack!.env,
    // Only what the suite's stack was started with, never the operator's compose/.env.
    SCRIBE_ENV_FILE: join(dir, 'no-env-file'),
    COMPOSE_PROJECT_NAME: stack!.projectName,
    SCRIBE_TAG: DEFAULT_TAG,
    STACK_MODE: 'local',
  })
  const report = async (out: string) =>
    JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ScanReport

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scan-test-'))
    await installTrivy()
  }, 45 * 60_000)
  afterAll(async () => {
    await s.docker('image', 'rm', '-f', planted).catch(() => undefined)
    await rm(dir, { recursive: true, force: true })
  })

  it('should pass on the suite images and running stack with the allowlist of today', async () => {
    const out = join(dir, 'clean')
    // --no-registry: tests reach only this machine; the npm step then reports what it kept.
    // --no-tls: testssl.sh takes minutes; the TLS part is tested on real testssl.sh results in
    // tests/unit/scan-tls.test.ts and on the certificate drill's own run (certs.test.ts).
    const run = await ops('scan.ts', ['--out', out, '--no-registry', '--no-tls'], env())
    const r = await report(out)
    const failing = r.findings.filter((f) => !f.allowlisted)
    expect(failing, run.out.slice(-3000)).toEqual([])
    expect(run.code, run.out.slice(-2000)).toBe(0)
    expect(r.passed).toBe(true)
    // Every image and the npm tree have an SBOM with components.
    expect(r.sboms.map((x) => x.name)).toEqual([
      ...['api', 'edge', 'postgres', 'stt'].map((n) => imageRef(n as 'api', DEFAULT_TAG)),
      'package-lock.json',
    ])
    for (const sbom of r.sboms) expect(sbom.components, sbom.name).toBeGreaterThan(10)
    // The probe called every route of the app through the edge, with every kind of case.
    expect(r.probe!.routes).toBeGreaterThanOrEqual(16)
    const cases = new Set(r.probe!.calls.map((c) => c.case))
    for (const c of ['no token', 'forged token', 'expired token', "another user's list"])
      expect(cases).toContain(c)
    expect(
      r.probe!.calls.filter((c) => c.case.startsWith("another user's token")).length
    ).toBeGreaterThan(5)
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('PASSED')
  })

  it('should fail, naming each, on a planted secret, a service without cap_drop and an expired exception', async () => {
    // A secret in one layer of an image built on the api image…
    const token = `ghp_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`
    await writeFile(join(dir, 'token.txt'), `GITHUB_TOKEN=${token}\n`)
    // Deleted again in a later layer: the file is gone from the image's filesystem, not from
    // the layer that added it, and that layer ships with the image.
    await writeFile(
      join(dir, 'Dockerfile'),
      `FROM ${imageRef('api', DEFAULT_TAG)}\nCOPY token.txt /app/config/token.txt\nUSER root\nRUN rm /app/config/token.txt\nUSER 1000:1000\n`
    )
    await s.docker('build', '-q', '-t', planted, dir)
    // The api service with its capabilities back.
    const override = join(dir, 'no-cap-drop.yml')
    await writeFile(override, 'services:\n  api:\n    cap_drop: !reset []\n')
    // An exception that ran out yesterday.
    const allowlist = join(dir, 'allowlist.yml')
    const shipped = await readFile(fromRoot('ops', 'scan', 'allowlist.yml'), 'utf8')
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    await writeFile(
      allowlist,
      `${shipped.replace(/^entries: \[\]$/m, 'entries:')}\n  - id: CVE-2025-99999\n    reason: reviewed once and never again\n    expires: '${yesterday}'\n`
    )
    const out = join(dir, 'failing')
    const run = await ops(
      'scan.ts',
      [
        '--out',
        out,
        '--image',
        planted,
        '--compose-override',
        override,
        '--allowlist',
        allowlist,
        '--no-probe',
        '--no-tls',
        '--no-registry',
      ],
      env()
    )
    expect(run.code, run.out.slice(-2000)).toBe(1)
    const failing = (await report(out)).findings.filter((f) => !f.allowlisted)
    const named = failing.map((f) => `${f.id} @ ${f.target}`)
    expect(named).toContain(`secret.github-pat @ image ${planted}: /app/config/token.txt:1`)
    expect(named).toContain('hardening.cap-drop-all @ local:api')
    expect(named).toContain('hardening.cap-drop-all @ prod:api')
    expect(named).toContain('allowlist.expired @ CVE-2025-99999')
    expect(run.out).toMatch(/findings not on the allowlist: .*secret\.github-pat/)
  })

  it("should read a repository's Kubernetes manifests and a secret its history removed", async () => {
    // A repository of the test's own: a kustomize base with a Deployment left unhardened, and
    // a token committed in one commit and deleted in the next (gone from the work tree only).
    const repo = join(dir, 'repo')
    const git = (...args: string[]) =>
      exec('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args])
    await mkdir(join(repo, 'deploy', 'kubernetes', 'base'), { recursive: true })
    await writeFile(
      join(repo, 'deploy', 'kubernetes', 'base', 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - api.yaml\n'
    )
    await writeFile(
      join(repo, 'deploy', 'kubernetes', 'base', 'api.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n        - name: api\n          image: medic-scribe/api:1.0.0\n'
    )
    const token = `ghp_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`
    await writeFile(join(repo, 'settings.env'), `GITHUB_TOKEN=${token}\n`)
    await git('init', '-q')
    await git('add', '.')
    await git('commit', '-qm', 'manifests and a token')
    const leaked = (await git('rev-parse', '--short=12', 'HEAD')).stdout.trim()
    await git('rm', '-q', 'settings.env')
    await git('commit', '-qm', 'the token removed')
    const allowlist = join(dir, 'empty-allowlist.yml')
    await writeFile(allowlist, 'entries: []\n')
    const out = join(dir, 'repo-scan')
    const run = await ops(
      'scan.ts',
      ['--only', 'repo,history', '--repo', repo, '--allowlist', allowlist, '--out', out],
      env()
    )
    expect(run.code, run.out.slice(-2000)).toBe(1)
    const r = await report(out)
    const named = r.findings.map((f) => `${f.id} @ ${f.target}`)
    // trivy config read the manifest as Kubernetes: no read-only root filesystem, root allowed.
    expect(named).toContain('KSV-0014 @ repo: deploy/kubernetes/base/api.yaml')
    expect(named).toContain('KSV-0012 @ repo: deploy/kubernetes/base/api.yaml')
    expect(r.checked.find((c) => c.part === 'repository config')?.what).toMatch(/kubernetes 1/)
    // The token is in the history, not in the work tree.
    expect(named).toContain(`secret.github-pat @ git history: ${leaked}:settings.env`)
    expect(r.findings.filter((f) => f.source === 'repo-secrets')).toEqual([])
  })
})
