// The Kubernetes manifests (deploy/kubernetes/) against the project's one source of truth for
// each thing they name: every API setting they set is a key of api/src/config.ts's schema and
// parses there, the edge's variables are the ones its entrypoint reads, the images are
// ops/lib/images.ts's, and every container carries compose's hardening.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { ConfigSchema, parseConfig } from '../../api/src/config.ts'
import { IMAGE_NAMES } from '../../ops/lib/images.ts'
import { fromRoot } from '../../ops/lib/paths.ts'

const DIR = fromRoot('deploy', 'kubernetes')
type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
const files = walk(DIR)
const yamlDocs = (file: string): Obj[] =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Obj)
    .filter(Boolean)
const objects = files
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml'))
  .flatMap((f) => yamlDocs(f).map((o) => ({ file: relative(DIR, f), o })))
const kustomizations = files
  .filter((f) => f.endsWith('kustomization.yaml'))
  .map((f) => ({ file: f, k: yamlDocs(f)[0]! }))

/** KEY=VALUE lines of a kustomize env file (comments and blank lines skipped). */
const envFile = (file: string): [string, string][] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.trimStart().startsWith('#'))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])

/** The api-settings entries one kustomization adds (literals and env files). */
function settingsOf(file: string, k: Obj): [string, string][] {
  return (k.configMapGenerator ?? [])
    .filter((g: Obj) => g.name === 'api-settings')
    .flatMap((g: Obj) => [
      ...(g.literals ?? []).map((l: string) => [
        l.slice(0, l.indexOf('=')),
        l.slice(l.indexOf('=') + 1),
      ]),
      ...(g.envs ?? []).flatMap((e: string) => envFile(join(file, '..', e))),
    ])
}

const containersOf = (o: Obj): Obj[] => o.spec?.template?.spec?.containers ?? []
const deployment = (name: string): Obj =>
  objects.find(({ o }) => o.kind === 'Deployment' && o.metadata.name === name)!.o
const CONFIG_KEYS = new Set(Object.keys(ConfigSchema.in.shape))

/** Names that are not settings of api/src/config.ts. */
export const notSettings = (names: string[]): string[] => names.filter((n) => !CONFIG_KEYS.has(n))

describe('kubernetes manifests', () => {
  const baseSettings = envFile(join(DIR, 'base', 'api-settings.env'))
  const apiEnv = containersOf(deployment('api')).flatMap((c) => c.env ?? [])
  const secretKeys: string[] = apiEnv
    .filter((e: Obj) => e.valueFrom?.secretKeyRef)
    .map((e: Obj) => e.valueFrom.secretKeyRef.key)

  it('should set only settings that api/src/config.ts defines', () => {
    const names = [
      ...kustomizations.flatMap(({ file, k }) => settingsOf(file, k).map(([n]) => n)),
      ...apiEnv.map((e: Obj) => e.name as string),
      ...secretKeys,
      ...objects
        .filter(({ o }) => o.kind === 'ExternalSecret')
        .flatMap(({ o }) => o.spec.data.map((d: Obj) => d.secretKey as string)),
    ]
    expect(names).toContain('DATABASE_URL')
    expect(names).toContain('STORAGE')
    expect(notSettings(names)).toEqual([])
    // The check itself can fail.
    expect(notSettings(['S3_BUCKETS'])).toEqual(['S3_BUCKETS'])
  })

  it('should give every overlay settings that the API parses (with the secrets it reads)', () => {
    const secrets = {
      DATABASE_URL: 'postgres://scribe:x@db.example:5432/scribe',
      JWT_SECRET: 'x'.repeat(32),
    }
    for (const overlay of readdirSync(join(DIR, 'overlays'))) {
      // An overlay's literals merge over the base's (group-ingress takes group's).
      const chain = [join(DIR, 'base')]
      let at = join(DIR, 'overlays', overlay)
      const ownChain: string[] = []
      for (;;) {
        ownChain.unshift(at)
        const k = yamlDocs(join(at, 'kustomization.yaml'))[0]!
        const parent = (k.resources as string[]).find(
          (r) => r.startsWith('../') && !r.includes('base')
        )
        if (!parent) break
        at = join(at, parent)
      }
      const settings = Object.fromEntries(
        [...chain, ...ownChain].flatMap((d) =>
          settingsOf(join(d, 'kustomization.yaml'), yamlDocs(join(d, 'kustomization.yaml'))[0]!)
        )
      )
      const config = parseConfig({ ...settings, ...secrets })
      expect(config.STORAGE, overlay).toBe('s3')
      expect(config.S3_BUCKET, overlay).toBeTruthy()
    }
    expect(baseSettings.length).toBeGreaterThan(5)
  })

  it("should set only the edge's own variables (compose/images/edge)", () => {
    const scripts = ['entrypoint.sh', 'edge-tls.sh']
      .map((f) => readFileSync(fromRoot('compose', 'images', 'edge', f), 'utf8'))
      .join('\n')
    const read = new Set([...scripts.matchAll(/\$\{([A-Z_][A-Z0-9_]*)[:}-]/g)].map((m) => m[1]))
    const names = containersOf(deployment('edge')).flatMap((c) =>
      (c.env ?? []).map((e: Obj) => e.name)
    )
    expect(names).toContain('API_UPSTREAM')
    expect(names.filter((n: string) => !read.has(n))).toEqual([])
  })

  it('should run the images of ops/lib/images.ts', () => {
    for (const { o } of objects.filter(({ o }) => o.kind === 'Deployment'))
      for (const c of containersOf(o)) {
        const [, name] = (c.image as string).match(/^medic-scribe\/([a-z]+):[\w.-]+$/) ?? []
        expect(IMAGE_NAMES, `${o.metadata.name}: ${c.image}`).toContain(name)
      }
    for (const { k } of kustomizations)
      for (const i of k.images ?? [])
        expect(IMAGE_NAMES.map((n) => `medic-scribe/${n}`)).toContain(i.name)
  })

  it('should harden every container as compose does (non-root, read-only, no capabilities)', () => {
    const deployments = objects.filter(({ o }) => o.kind === 'Deployment')
    expect(deployments.map(({ o }) => o.metadata.name).sort()).toEqual(['api', 'edge', 'stt'])
    for (const { o } of deployments) {
      const pod = o.spec.template.spec
      expect(pod.automountServiceAccountToken, o.metadata.name).toBe(false)
      expect(pod.securityContext.seccompProfile.type).toBe('RuntimeDefault')
      for (const c of containersOf(o)) {
        expect(c.securityContext, `${o.metadata.name}/${c.name}`).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        })
        expect(c.resources.requests && c.resources.limits, c.name).toBeTruthy()
      }
    }
    const api = containersOf(deployment('api'))[0]!
    expect(api.livenessProbe.httpGet.path).toBe('/health/live')
    expect(api.readinessProbe.httpGet.path).toBe('/health/ready')
  })

  it('should keep every secret value out of the repository', () => {
    expect(objects.filter(({ o }) => o.kind === 'Secret')).toEqual([])
    for (const { k } of kustomizations) expect(k.secretGenerator).toBeUndefined()
    expect(secretKeys).toEqual(expect.arrayContaining(['DATABASE_URL', 'JWT_SECRET']))
  })
})
