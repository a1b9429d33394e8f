// The repository: every configuration file trivy knows (Dockerfiles, Kubernetes manifests and
// kustomize bases, Helm charts, Terraform…) through `trivy config`, secrets in the work tree and
// in every commit of the git history, and a CycloneDX SBOM of the npm tree from
// package-lock.json. The repository is the checkout unless --repo names another.
import { $, fs, path } from 'zx'
import { defineStep } from '../../lib/pipeline.ts'
import { unlessPart } from './context.ts'
import type { ScanContext } from './context.ts'
import { findingsFromTrivy, sbomComponents } from './trivy-report.ts'
import type { TrivyReport } from './trivy-report.ts'
import { REPO_SKIP_DIRS, REPO_SKIP_FILES, trivyJson, trivySbom } from './trivy-run.ts'

const skips = (root: string): string[] => [
  ...REPO_SKIP_DIRS.flatMap((d) => ['--skip-dirs', path.join(root, d)]),
  ...REPO_SKIP_FILES.flatMap((f) => ['--skip-files', path.join(root, f)]),
]

const relTarget = (root: string, r: TrivyReport): TrivyReport => ({
  Results: (r.Results ?? []).map((x) => ({
    ...x,
    Target: path.relative(root, path.resolve(root, x.Target)),
  })),
})

/** `Dockerfile 14, kubernetes 3`: how many files of each kind trivy config read. */
export function configKinds(r: TrivyReport): string {
  const kinds = new Map<string, number>()
  for (const x of r.Results ?? []) kinds.set(x.Type ?? '?', (kinds.get(x.Type ?? '?') ?? 0) + 1)
  return [...kinds].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'
}

export const scanRepository = defineStep<ScanContext>({
  name: (c) => `repository ${c.repoDir} (trivy config, secrets, npm SBOM)`,
  changes: false,
  skip: unlessPart('repo'),
  run: async (c) => {
    const root = c.repoDir
    const config = relTarget(
      root,
      await trivyJson(c, ['config', ...skips(root), root], path.join(c.work, 'config.json'))
    )
    const files = (config.Results ?? []).map((r) => r.Target)
    const conf = findingsFromTrivy(config, { where: 'repo', source: 'config' })
    c.findings.push(...conf.findings)
    c.checked.push({
      part: 'repository config',
      what: `${files.length} files, ${configKinds(config)} (${files.join(', ')})`,
    })

    const secrets = await trivyJson(
      c,
      ['fs', '--scanners', 'secret', ...skips(root), root],
      path.join(c.work, 'repo-secrets.json')
    )
    const sec = findingsFromTrivy(relTarget(root, secrets), {
      where: 'repo',
      source: 'repo-secrets',
    })
    c.findings.push(...sec.findings)
    c.checked.push({
      part: 'repository secrets',
      what: 'the work tree (git-ignored local secrets left out)',
    })

    // The whole npm tree, dev dependencies included: the build toolchain is supply chain too.
    const lock = path.join(root, 'package-lock.json')
    if (!(await fs.pathExists(lock)))
      return `${files.length} config files (${configKinds(config)}), ${conf.counts.misconfigurations} misconfigurations, ${sec.counts.secrets} secrets, no package-lock.json`
    const sbom = path.join(c.outDir, 'sbom', 'npm-package-lock.cdx.json')
    await trivySbom(c, ['fs', '--include-dev-deps', lock], sbom)
    if (c.vulnDbDir) {
      const npm = await trivyJson(
        c,
        ['fs', '--scanners', 'vuln', '--include-dev-deps', lock],
        path.join(c.work, 'npm.json')
      )
      c.findings.push(...findingsFromTrivy(npm, { where: 'npm', source: 'npm' }).findings)
    }
    const components = sbomComponents(await fs.readJson(sbom))
    c.sboms.push({ name: 'package-lock.json', file: path.relative(c.outDir, sbom), components })
    return `${files.length} config files (${configKinds(config)}), ${conf.counts.misconfigurations} misconfigurations, ${sec.counts.secrets} secrets, npm SBOM ${components} components`
  },
})

/** Where in `git log -p` output a line sits: the commit and file it belongs to. */
export function locateInPatch(lines: string[], line: number): string {
  let commit = ''
  let file = ''
  for (let i = Math.min(line, lines.length) - 1; i >= 0 && !(commit && file); i--) {
    const l = lines[i]!
    if (!file && l.startsWith('diff --git ')) file = l.replace(/^diff --git a\/\S+ b\//, '')
    if (l.startsWith('commit ')) commit = l.slice(7, 19)
  }
  return `${commit || '?'}:${file || '?'}`
}

/**
 * Every commit reachable from any ref, as one `git log -p` patch, through trivy's secret
 * scanner: a key committed and removed later is still in the history and still a finding.
 */
export const scanGitHistory = defineStep<ScanContext>({
  name: 'git history secrets',
  changes: false,
  skip: (c) =>
    unlessPart('history')(c) ||
    (fs.existsSync(path.join(c.repoDir, '.git')) ? false : 'not a git checkout'),
  run: async (c) => {
    const dir = path.join(c.work, 'git-history')
    await fs.emptyDir(dir)
    const patch = path.join(dir, 'history.patch')
    const out = await $({
      quiet: true,
      timeout: '5m',
      cwd: c.repoDir,
    })`git log -p --all --no-color --no-ext-diff --full-history`
    await fs.writeFile(patch, out.stdout)
    const commits = (
      await $({ quiet: true, timeout: '1m', cwd: c.repoDir })`git rev-list --all --count`
    ).stdout.trim()
    const report = await trivyJson(
      c,
      ['fs', '--scanners', 'secret', dir],
      path.join(c.work, 'history.json')
    )
    const lines = out.stdout.split('\n')
    const located: TrivyReport = {
      Results: (report.Results ?? []).flatMap((r) =>
        (r.Secrets ?? []).map((s) => ({
          Target: locateInPatch(lines, s.StartLine ?? 0),
          Secrets: [{ ...s, StartLine: 0 }],
        }))
      ),
    }
    const { findings, counts } = findingsFromTrivy(located, {
      where: 'git history',
      source: 'git-history',
    })
    c.findings.push(...findings)
    c.checked.push({
      part: 'git history',
      what: `${commits} commits (git log -p --all, ${(out.stdout.length / 1e6).toFixed(1)} MB)`,
    })
    return `${commits} commits, ${counts.secrets} secrets`
  },
})
