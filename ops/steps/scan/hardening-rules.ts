// Our hardening rules, as data: Trivy does not read compose files, and the running containers
// are only seen by the engine. Each rule has an id (what a finding and an allowlist entry name),
// the reason it exists and the fix, and checks one service's facts, whichever way they were
// gathered (the merged compose config, or `docker inspect` of a container).

export type PortFact = { hostIp: string; hostPort: string; target: string }

/** What the rules look at, the same for a compose service and for a running container. */
export type ServiceFacts = {
  service: string
  /** The user it runs as: the service's `user`, else the image's USER; '' means root. */
  user: string
  readOnly: boolean
  capDrop: string[]
  capAdd: string[]
  securityOpt: string[]
  healthcheck: boolean
  restart: string
  memoryBytes: number
  nanoCpus: number
  ports: PortFact[]
  networkMode: string
  pidMode: string
  privileged: boolean
  /** Host paths mounted in (bind mounts). */
  hostMounts: string[]
  image: string
}

export type RuleContext = {
  mode: 'local' | 'prod'
  /** The one service allowed to publish ports. */
  edgeService: string
  /** The image reference the build made for a service, if it is one of ours. */
  expectedImage: (service: string) => string | undefined
}

export type HardeningRule = {
  id: string
  reason: string
  fix: string
  /** What is wrong, or undefined when the service passes. */
  check: (f: ServiceFacts, ctx: RuleContext) => string | undefined
}

const isRoot = (user: string): boolean => /^(|root|0)(:.*)?$/.test(user.trim())

export const HARDENING_RULES: HardeningRule[] = [
  {
    id: 'hardening.non-root-user',
    reason:
      'a process escaping its app as root owns the container and is one kernel bug from the host',
    fix: 'set USER in the Dockerfile (or `user:` in compose) to an unprivileged uid',
    check: (f) => (isRoot(f.user) ? `runs as root (user "${f.user || 'unset'}")` : undefined),
  },
  {
    id: 'hardening.read-only-rootfs',
    reason:
      'a writable root lets an intruder replace binaries and persist; data belongs on volumes',
    fix: 'read_only: true, with tmpfs for /tmp and volumes for data',
    check: (f) => (f.readOnly ? undefined : 'the root filesystem is writable'),
  },
  {
    id: 'hardening.cap-drop-all',
    reason: 'none of the services needs a Linux capability; each one kept widens an escape',
    fix: 'cap_drop: [ALL] and no cap_add',
    check: (f) => {
      if (!f.capDrop.map((c) => c.toUpperCase()).includes('ALL')) return 'capabilities not dropped'
      if (f.capAdd.length) return `capabilities added back: ${f.capAdd.join(', ')}`
      return undefined
    },
  },
  {
    id: 'hardening.no-new-privileges',
    reason: 'setuid binaries must not be able to raise the privileges of a compromised process',
    fix: "security_opt: ['no-new-privileges:true']",
    check: (f) =>
      f.securityOpt.some((o) => /^no-new-privileges(:true|=true)?$/.test(o))
        ? undefined
        : 'no-new-privileges is not set',
  },
  {
    id: 'hardening.privileged',
    reason: 'a privileged container is the host',
    fix: 'remove privileged: true',
    check: (f) => (f.privileged ? 'runs privileged' : undefined),
  },
  {
    id: 'hardening.healthcheck',
    reason: 'without a healthcheck, restarts, `up --wait` and deploys cannot tell a hung service',
    fix: 'a HEALTHCHECK in the image or healthcheck.test in compose',
    check: (f) => (f.healthcheck ? undefined : 'no healthcheck'),
  },
  {
    id: 'hardening.restart-policy',
    reason: 'a crashed service must come back without an operator',
    fix: 'restart: unless-stopped',
    check: (f) =>
      ['always', 'unless-stopped', 'on-failure'].includes(f.restart.replace(/:\d+$/, ''))
        ? undefined
        : `restart policy "${f.restart || 'no'}"`,
  },
  {
    id: 'hardening.memory-limit',
    reason: 'one runaway service must not take the memory of the others (and the database)',
    fix: 'mem_limit (or deploy.resources.limits.memory)',
    check: (f) => (f.memoryBytes > 0 ? undefined : 'no memory limit'),
  },
  {
    id: 'hardening.cpu-limit',
    reason: 'one busy service must not starve the others of CPU',
    fix: 'cpus (or deploy.resources.limits.cpus)',
    check: (f) => (f.nanoCpus > 0 ? undefined : 'no CPU limit'),
  },
  {
    id: 'hardening.published-ports',
    reason:
      'only the edge (TLS, headers, rate limits) faces clients; in local mode only this machine',
    fix: 'remove `ports:` from the service; in local mode bind the edge to 127.0.0.1',
    check: (f, ctx) => {
      if (!f.ports.length) return undefined
      if (f.service !== ctx.edgeService)
        return `publishes ${f.ports.map((p) => `${p.hostIp || '0.0.0.0'}:${p.hostPort}`).join(', ')}`
      if (ctx.mode !== 'local') return undefined
      const open = f.ports.filter((p) => p.hostIp !== '127.0.0.1')
      return open.length
        ? `local mode publishes beyond 127.0.0.1: ${open.map((p) => `${p.hostIp || '0.0.0.0'}:${p.hostPort}`).join(', ')}`
        : undefined
    },
  },
  {
    id: 'hardening.host-namespaces',
    reason: "the host's network or process namespace removes the container's isolation",
    fix: 'remove network_mode: host, pid: host and ipc: host',
    check: (f) => {
      const shared = [f.networkMode === 'host' && 'network', f.pidMode === 'host' && 'pid'].filter(
        Boolean
      )
      return shared.length ? `shares the host's ${shared.join(' and ')} namespace` : undefined
    },
  },
  {
    id: 'hardening.docker-socket',
    reason: 'the Docker socket is root on the host',
    fix: 'do not mount /var/run/docker.sock (or /run/docker.sock) into any service',
    check: (f) => {
      const sock = f.hostMounts.find((m) => /(^|\/)docker\.sock$/.test(m))
      return sock ? `mounts ${sock}` : undefined
    },
  },
  {
    id: 'hardening.image-pinned',
    reason: 'what runs must be what the build made and the scan saw, not a moving tag',
    fix: 'image: medic-scribe/<service>:${SCRIBE_TAG} (never :latest or an untagged name)',
    check: (f, ctx) => {
      const want = ctx.expectedImage(f.service)
      if (!want) return `not one of the stack's images: ${f.image}`
      return f.image === want ? undefined : `runs ${f.image}, the build made ${want}`
    },
  },
]

export type RuleFailure = { rule: HardeningRule; service: string; problem: string }

/** Every rule against every service; the failures, in rule order. */
export function checkHardening(services: ServiceFacts[], ctx: RuleContext): RuleFailure[] {
  const out: RuleFailure[] = []
  for (const rule of HARDENING_RULES)
    for (const f of services) {
      const problem = rule.check(f, ctx)
      if (problem) out.push({ rule, service: f.service, problem })
    }
  return out
}
