import { describe, expect, it } from 'vitest'
import { HARDENING_RULES, checkHardening } from '../../ops/steps/scan/hardening-rules.ts'
import type { RuleContext, ServiceFacts } from '../../ops/steps/scan/hardening-rules.ts'
import { factsFromCompose, factsFromContainer } from '../../ops/steps/scan/service-facts.ts'
import type { ContainerInspect } from '../../ops/steps/scan/service-facts.ts'

const ctx: RuleContext = {
  mode: 'local',
  edgeService: 'edge',
  expectedImage: (s) => (['api', 'edge'].includes(s) ? `medic-scribe/${s}:t1` : undefined),
}

const hardened = (service: string, over: Partial<ServiceFacts> = {}): ServiceFacts => ({
  service,
  user: 'scribe',
  readOnly: true,
  capDrop: ['ALL'],
  capAdd: [],
  securityOpt: ['no-new-privileges:true'],
  healthcheck: true,
  restart: 'unless-stopped',
  memoryBytes: 512 * 2 ** 20,
  nanoCpus: 1e9,
  ports: [],
  networkMode: '',
  pidMode: '',
  privileged: false,
  hostMounts: [],
  image: `medic-scribe/${service}:t1`,
  ...over,
})

const failures = (f: ServiceFacts, c: RuleContext = ctx) =>
  checkHardening([f], c).map((x) => x.rule.id)

describe('hardening rules', () => {
  it('should give every rule an id, a reason and a fix', () => {
    for (const r of HARDENING_RULES) {
      expect(r.id).toMatch(/^hardening\.[a-z-]+$/)
      expect(r.reason.length).toBeGreaterThan(20)
      expect(r.fix.length).toBeGreaterThan(5)
    }
    expect(new Set(HARDENING_RULES.map((r) => r.id)).size).toBe(HARDENING_RULES.length)
  })

  it('should pass a fully hardened service', () => {
    expect(failures(hardened('api'))).toEqual([])
  })

  it.each<[string, Partial<ServiceFacts>]>([
    ['hardening.non-root-user', { user: '' }],
    ['hardening.non-root-user', { user: '0:0' }],
    ['hardening.read-only-rootfs', { readOnly: false }],
    ['hardening.cap-drop-all', { capDrop: [] }],
    ['hardening.cap-drop-all', { capAdd: ['NET_ADMIN'] }],
    ['hardening.no-new-privileges', { securityOpt: [] }],
    ['hardening.privileged', { privileged: true }],
    ['hardening.healthcheck', { healthcheck: false }],
    ['hardening.restart-policy', { restart: 'no' }],
    ['hardening.memory-limit', { memoryBytes: 0 }],
    ['hardening.cpu-limit', { nanoCpus: 0 }],
    ['hardening.published-ports', { ports: [{ hostIp: '', hostPort: '5432', target: '5432' }] }],
    ['hardening.host-namespaces', { networkMode: 'host' }],
    ['hardening.host-namespaces', { pidMode: 'host' }],
    ['hardening.docker-socket', { hostMounts: ['/var/run/docker.sock'] }],
    ['hardening.image-pinned', { image: 'medic-scribe/api:latest' }],
  ])('should fail %s on %o', (id, over) => {
    expect(failures(hardened('api', over))).toEqual([id])
  })

  it('should let only the edge publish, and only on 127.0.0.1 in local mode', () => {
    const open = { ports: [{ hostIp: '', hostPort: '443', target: '8443' }] }
    const loopback = { ports: [{ hostIp: '127.0.0.1', hostPort: '8443', target: '8443' }] }
    expect(failures(hardened('edge', loopback))).toEqual([])
    expect(failures(hardened('edge', open))).toEqual(['hardening.published-ports'])
    expect(failures(hardened('edge', open), { ...ctx, mode: 'prod' })).toEqual([])
  })

  it("should read a merged compose config, the image's USER and HEALTHCHECK filling in", () => {
    const facts = factsFromCompose(
      {
        services: {
          api: {
            image: 'medic-scribe/api:t1',
            read_only: true,
            cap_drop: ['ALL'],
            security_opt: ['no-new-privileges:true'],
            healthcheck: { test: undefined },
            restart: 'unless-stopped',
            mem_limit: '1073741824',
            cpus: 1.5,
          },
          edge: {
            image: 'medic-scribe/edge:t1',
            ports: [{ host_ip: '127.0.0.1', published: '8443', target: 8443 }],
            volumes: [{ type: 'bind', source: '/var/run/docker.sock' }],
          },
        },
      },
      (image) => (image.includes('api') ? { user: 'scribe', healthcheck: true } : undefined)
    )
    expect(failures(facts[0]!)).toEqual([])
    expect(failures(facts[1]!)).toEqual([
      'hardening.non-root-user',
      'hardening.read-only-rootfs',
      'hardening.cap-drop-all',
      'hardening.no-new-privileges',
      'hardening.healthcheck',
      'hardening.restart-policy',
      'hardening.memory-limit',
      'hardening.cpu-limit',
      'hardening.docker-socket',
    ])
  })

  it('should read a container as the engine reports it', () => {
    const inspect: ContainerInspect = {
      Name: '/p-api-1',
      Config: {
        User: '1000',
        Image: 'medic-scribe/api:t1',
        Labels: { 'com.docker.compose.service': 'api' },
        Healthcheck: { Test: ['CMD', 'true'] },
      },
      HostConfig: {
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        CapAdd: null,
        SecurityOpt: ['no-new-privileges:true'],
        Privileged: false,
        RestartPolicy: { Name: 'unless-stopped' },
        Memory: 2 ** 30,
        NanoCpus: 1.5e9,
        PortBindings: {},
        NetworkMode: 'p_default',
        PidMode: '',
      },
      Mounts: [{ Type: 'volume', Source: '/var/lib/docker/volumes/x' }],
    }
    expect(failures(factsFromContainer(inspect))).toEqual([])
    const drifted = { ...inspect, HostConfig: { ...inspect.HostConfig, CapDrop: null } }
    expect(failures(factsFromContainer(drifted))).toEqual(['hardening.cap-drop-all'])
  })
})
