// Turns the two views of a service into the one shape the hardening rules check: the merged
// compose config (`docker compose config --format json`, with the image's USER and HEALTHCHECK
// filling in what the service leaves to it) and `docker inspect` of a running container.
import type { PortFact, ServiceFacts } from './hardening-rules.ts'

/** What the rules need from `docker image inspect`: the image's defaults. */
export type ImageDefaults = { user: string; healthcheck: boolean }

type ComposeService = {
  image?: string
  user?: string
  read_only?: boolean
  cap_drop?: string[]
  cap_add?: string[]
  security_opt?: string[]
  privileged?: boolean
  healthcheck?: { test?: string[]; disable?: boolean }
  restart?: string
  mem_limit?: string | number
  cpus?: number | string
  deploy?: { resources?: { limits?: { memory?: string | number; cpus?: string | number } } }
  ports?: { host_ip?: string; published?: string | number; target: number }[]
  network_mode?: string
  pid?: string
  volumes?: { type: string; source?: string }[]
}
export type ComposeConfig = { services: Record<string, ComposeService> }

const num = (v: string | number | undefined): number => (v === undefined ? 0 : Number(v) || 0)
const healthTestSet = (test: string[] | undefined): boolean =>
  !!test && test.length > 0 && test[0] !== 'NONE'

/** Facts of every service of a merged compose config. */
export function factsFromCompose(
  config: ComposeConfig,
  imageDefaults: (image: string) => ImageDefaults | undefined
): ServiceFacts[] {
  return Object.entries(config.services).map(([service, s]) => {
    const image = s.image ?? ''
    const defaults = imageDefaults(image)
    const limits = s.deploy?.resources?.limits
    return {
      service,
      user: s.user ?? defaults?.user ?? '',
      readOnly: s.read_only === true,
      capDrop: s.cap_drop ?? [],
      capAdd: s.cap_add ?? [],
      securityOpt: s.security_opt ?? [],
      healthcheck:
        s.healthcheck?.disable !== true &&
        (healthTestSet(s.healthcheck?.test) || (defaults?.healthcheck ?? false)),
      restart: s.restart ?? '',
      memoryBytes: num(s.mem_limit) || num(limits?.memory),
      nanoCpus: Math.round((num(s.cpus) || num(limits?.cpus)) * 1e9),
      ports: (s.ports ?? []).map((p): PortFact => ({
        hostIp: p.host_ip ?? '',
        hostPort: String(p.published ?? ''),
        target: String(p.target),
      })),
      networkMode: s.network_mode ?? '',
      pidMode: s.pid ?? '',
      privileged: s.privileged === true,
      hostMounts: (s.volumes ?? []).filter((v) => v.type === 'bind').map((v) => v.source ?? ''),
      image,
    }
  })
}

/** The parts of `docker inspect <container>` the rules read. */
export type ContainerInspect = {
  Name: string
  Config: {
    User: string
    Image: string
    Labels?: Record<string, string> | null
    Healthcheck?: { Test?: string[] } | null
  }
  HostConfig: {
    ReadonlyRootfs: boolean
    CapDrop: string[] | null
    CapAdd: string[] | null
    SecurityOpt: string[] | null
    Privileged: boolean
    RestartPolicy: { Name: string }
    Memory: number
    NanoCpus: number
    CpuQuota?: number
    CpuPeriod?: number
    PortBindings: Record<string, { HostIp: string; HostPort: string }[] | null> | null
    NetworkMode: string
    PidMode: string
  }
  Mounts: { Type: string; Source: string }[] | null
}

/** Facts of a running container as the engine sees them (catches drift from the files). */
export function factsFromContainer(c: ContainerInspect): ServiceFacts {
  const h = c.HostConfig
  const quotaCpus = h.CpuQuota && h.CpuPeriod ? (h.CpuQuota / h.CpuPeriod) * 1e9 : 0
  return {
    service: c.Config.Labels?.['com.docker.compose.service'] ?? c.Name.replace(/^\//, ''),
    user: c.Config.User,
    readOnly: h.ReadonlyRootfs,
    capDrop: h.CapDrop ?? [],
    capAdd: h.CapAdd ?? [],
    securityOpt: h.SecurityOpt ?? [],
    healthcheck: healthTestSet(c.Config.Healthcheck?.Test),
    restart: h.RestartPolicy.Name,
    memoryBytes: h.Memory,
    nanoCpus: h.NanoCpus || quotaCpus,
    ports: Object.entries(h.PortBindings ?? {}).flatMap(([target, binds]) =>
      (binds ?? []).map((b) => ({ hostIp: b.HostIp, hostPort: b.HostPort, target }))
    ),
    networkMode: h.NetworkMode,
    pidMode: h.PidMode,
    privileged: h.Privileged,
    hostMounts: (c.Mounts ?? []).filter((m) => m.Type === 'bind').map((m) => m.Source),
    image: c.Config.Image,
  }
}
