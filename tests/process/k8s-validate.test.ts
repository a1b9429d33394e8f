// make k8s-validate as the operator runs it: the real manifests pass (rendered, decoded strictly
// against k8s.io/api, trivy config clean), and a broken copy is refused with each problem named:
// a misspelt field by the strict decoder, a container without its securityContext by Trivy.
// The first run on a fresh machine builds kustomize and the decoder (minutes), and Trivy if
// `make trivy` has not (tens of minutes): the timeout allows for it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { $, fs } from 'zx'
import { fromRoot } from '../../ops/lib/paths.ts'

const validate = (...args: string[]) =>
  $({
    cwd: fromRoot(),
    nothrow: true,
    quiet: true,
    timeout: '60m',
  })`npx tsx ops/k8s-validate.ts ${args}`

describe('make k8s-validate', () => {
  let work: string
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'k8s-validate-'))
  })
  afterAll(async () => {
    await rm(work, { recursive: true, force: true })
  })

  it('should pass the manifests of deploy/kubernetes', { timeout: 3_600_000 }, async () => {
    const out = await validate('--out', join(work, 'ok'))
    expect(out.exitCode, out.stdout + out.stderr).toBe(0)
    expect(out.stdout).toMatch(/render group, group-ingress, single-clinic/)
    expect(out.stdout).toMatch(
      /\d+ objects decoded; not decoded \(custom resources\): ExternalSecret/
    )
    expect(out.stdout).toMatch(/3 files, no HIGH or CRITICAL finding/)
  })

  it(
    'should refuse an unknown field and a missing securityContext, naming both',
    { timeout: 600_000 },
    async () => {
      const dir = join(work, 'broken')
      await fs.copy(fromRoot('deploy', 'kubernetes'), dir)
      const api = join(dir, 'base', 'api-deployment.yaml')
      const text = await readFile(api, 'utf8')
      expect(text).toContain('terminationGracePeriodSeconds: 30')
      await writeFile(
        api,
        text.replace('terminationGracePeriodSeconds: 30', 'terminationGracePeriod: 30')
      )
      // The stt container without its securityContext (the pod's own stays).
      const stt = join(dir, 'base', 'stt-deployment.yaml')
      const sttText = await readFile(stt, 'utf8')
      const broken = sttText.replace(/\n {10}securityContext:\n( {12}.*\n)+/, '\n')
      expect(broken).not.toEqual(sttText)
      await writeFile(stt, broken)

      const out = await validate(
        '--dir',
        dir,
        '--overlay',
        'single-clinic',
        '--out',
        join(work, 'out')
      )
      const text2 = out.stdout + out.stderr
      expect(out.exitCode, text2).toBe(1)
      expect(text2).toMatch(
        /single-clinic: Deployment\/api: unknown field "spec\.template\.spec\.terminationGracePeriod"/
      )
      expect(text2).toMatch(
        /HIGH KSV-0014 k8s: single-clinic\.yaml: Root file system is not read-only: Container 'stt'/
      )
      expect(text2).toMatch(/2 check\(s\) failed: strict decoding .*, trivy config/)
    }
  )
})
