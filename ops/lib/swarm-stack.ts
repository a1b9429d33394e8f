// The Swarm stack file, generated from the compose files (one source of truth): `docker compose
// config` renders compose.yml + compose.<mode>.yml (+ overlays) to JSON, and toStackFile turns
// that into what `docker stack deploy` takes. What compose does on one host and Swarm does
// differently is translated here, in one place:
// - secrets: passwords and keys leave the environment and arrive as Swarm secrets (files under
//   /run/secrets, read through the API's and Postgres' `*_FILE` settings);
// - files: audio and notes go to object storage (STORAGE=s3), because replicas on different
//   nodes cannot share a local volume; without an S3_ENDPOINT a SeaweedFS service runs it;
// - replicas, rolling updates (start-first, health-gated, rolled back by Swarm on failure);
// - placement: Postgres and the object store stay on the node labelled to hold their volumes;
// - the edge runs on every node (global) with host-mode ports and spreads requests over the
//   API's tasks itself (`tasks.api`, re-resolved every few seconds); every service uses DNS
//   round robin (dnsrr), so no IPVS is needed in the kernel (this machine's has none);
// - what Swarm ignores or refuses (depends_on, restart, security_opt, shm_size, host-bound
//   ports, bind mounts) is dropped or mapped to its deploy equivalent.
import { createHash } from 'node:crypto'

/** The part of `docker compose config --format json` this transform reads. */
export type ComposeService = {
  image?: string
  command?: string[] | null
  entrypoint?: string[] | null
  environment?: Record<string, string | null>
  healthcheck?: Record<string, unknown>
  read_only?: boolean
  cap_drop?: string[]
  logging?: Record<string, unknown>
  stop_grace_period?: string
  tmpfs?: string[]
  volumes?: { type: string; source?: string; target: string; read_only?: boolean }[]
  ports?: { target: number; published?: string | number; protocol?: string }[]
  mem_limit?: string | number
  cpus?: number | string
  pids_limit?: number
  user?: string
  configs?: { source: string; target?: string }[]
  [other: string]: unknown
}
export type ComposeConfig = {
  services: Record<string, ComposeService>
  volumes?: Record<string, unknown>
  configs?: Record<string, { file?: string }>
}

/** A Swarm secret: its name in the stack file, the name it is created under, its value. */
export type SwarmSecret = { key: string; name: string; value: string }

export type SwarmSettings = {
  stack: string
  /** Where the nodes pull images from (`10.0.0.2:5000`); empty: images are on every node. */
  registry: string
  /** The image tag deployed for api, stt, edge and postgres (the api's may differ). */
  tag: string
  apiTag: string
  apiReplicas: number
  sttReplicas: number
  httpPort: number
  httpsPort: number
  /** The values behind the secrets (generated or from compose/.env). */
  postgresPassword: string
  jwtSecret: string
  /** An S3 server of the operator's; without it the stack runs SeaweedFS (service `objects`). */
  s3?: { endpoint: string; bucket: string; region: string; accessKeyId: string; secret: string }
  /** Keys for the stack's own SeaweedFS when `s3` is unset. */
  objectsKeys?: { accessKeyId: string; secret: string }
  objectsImage?: string
  /** Services left out of the stack (`stt` when a provider is used instead). */
  without?: string[]
  /** The edge's certificate (PEM), as secrets; without it the edge makes a self-signed one. */
  tls?: { fullchain: string; privkey: string }
  /** Provider keys to pass as secrets when set. */
  providerKeys?: { OPENAI_API_KEY?: string; DEEPGRAM_API_KEY?: string }
}

/** Node labels the placement constraints use; `make swarm-deploy` sets them. */
export const POSTGRES_LABEL = 'medic-scribe.postgres'
export const OBJECTS_LABEL = 'medic-scribe.objects'
export const OBJECTS_BUCKET = 'medic-scribe'
/** Replicated services whose updates are rolled (start-first, rolled back on failure). */
export const ROLLED = ['api', 'stt'] as const

const short = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 10)

/**
 * Swarm secrets cannot change in place: each is named after a hash of its value, so a new value
 * is a new secret and the services roll onto it; an unchanged one is reused as is.
 */
export function secretsFor(s: SwarmSettings): SwarmSecret[] {
  const db = `postgres://scribe:${encodeURIComponent(s.postgresPassword)}@postgres:5432/scribe`
  const s3 = s.s3 ?? {
    accessKeyId: s.objectsKeys?.accessKeyId ?? '',
    secret: s.objectsKeys?.secret ?? '',
  }
  const values: Record<string, string> = {
    postgres_password: s.postgresPassword,
    database_url: db,
    jwt_secret: s.jwtSecret,
    s3_access_key_id: s3.accessKeyId,
    s3_secret_access_key: s3.secret,
  }
  if (!s.s3)
    values.s3_config = JSON.stringify({
      identities: [
        {
          name: 'scribe',
          credentials: [{ accessKey: s3.accessKeyId, secretKey: s3.secret }],
          actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
        },
      ],
    })
  if (s.tls) {
    values.tls_fullchain = s.tls.fullchain
    values.tls_privkey = s.tls.privkey
  }
  if (s.providerKeys?.OPENAI_API_KEY) values.openai_api_key = s.providerKeys.OPENAI_API_KEY
  if (s.providerKeys?.DEEPGRAM_API_KEY) values.deepgram_api_key = s.providerKeys.DEEPGRAM_API_KEY
  return Object.entries(values).map(([key, value]) => ({
    key,
    name: `${s.stack}_${key}_${short(value)}`,
    value,
  }))
}

/** Environment variables that become `<NAME>_FILE` pointing at a secret, per service. */
const SECRET_ENV: Record<string, Record<string, string>> = {
  postgres: { POSTGRES_PASSWORD: 'postgres_password' },
  api: {
    DATABASE_URL: 'database_url',
    JWT_SECRET: 'jwt_secret',
    S3_ACCESS_KEY_ID: 's3_access_key_id',
    S3_SECRET_ACCESS_KEY: 's3_secret_access_key',
    OPENAI_API_KEY: 'openai_api_key',
    DEEPGRAM_API_KEY: 'deepgram_api_key',
  },
}

/** `docker compose` memory sizes are byte counts (as strings); tmpfs options say `64m`. */
const bytes = (v: string | number): number => {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(String(v).trim())
  if (!m) throw new Error(`not a size: ${v}`)
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k']
  return Math.round(Number(m[1]) * unit!)
}

/** `/tmp:size=64m,mode=1777` → a tmpfs mount (Swarm's tmpfs mounts are 1777 already). */
function tmpfsMount(spec: string) {
  const [target, opts = ''] = spec.split(':')
  const size = /(?:^|,)size=([^,]+)/.exec(opts)?.[1]
  return { type: 'tmpfs', target, ...(size ? { tmpfs: { size: bytes(size) } } : {}) }
}

const image = (s: SwarmSettings, ref: string, tag: string): string => {
  const [name] = ref.split(':')
  return `${s.registry ? `${s.registry}/` : ''}${name}:${tag}`
}

/** update_config / rollback_config for a replicated service that must never stop serving. */
const rolling = {
  update_config: {
    parallelism: 1,
    delay: '2s',
    order: 'start-first',
    // Swarm itself puts the previous spec back when a new task fails its health check or
    // exits within the monitor window.
    failure_action: 'rollback',
    monitor: '15s',
    max_failure_ratio: 0,
  },
  rollback_config: {
    parallelism: 1,
    delay: '0s',
    order: 'start-first',
    failure_action: 'pause',
    monitor: '10s',
  },
}

function service(
  name: string,
  c: ComposeService,
  s: SwarmSettings,
  secrets: Map<string, SwarmSecret>
): Record<string, unknown> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(c.environment ?? {})) if (v !== null && v !== '') env[k] = v
  const out: Record<string, unknown> = {}
  const mounted: { source: string; target?: string }[] = []
  for (const [variable, key] of Object.entries(SECRET_ENV[name] ?? {})) {
    const had = variable in env || name === 'api'
    delete env[variable]
    if (!had || !secrets.has(key)) continue
    env[`${variable}_FILE`] = `/run/secrets/${key}`
    mounted.push({ source: key })
  }
  if (name === 'api') {
    // Files go to the bucket every replica shares.
    Object.assign(env, {
      STORAGE: 's3',
      S3_ENDPOINT: s.s3?.endpoint ?? 'http://objects:8333',
      S3_BUCKET: s.s3?.bucket ?? OBJECTS_BUCKET,
      S3_REGION: s.s3?.region ?? 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      APP_VERSION: s.apiTag,
    })
  }
  if (name === 'edge') {
    // The edge spreads requests over every API task itself; see the file's heading.
    env.API_UPSTREAM = 'tasks.api:8080'
    env.HTTPS_PORT = String(s.httpsPort)
    delete env.TLS_DIR
    if (secrets.has('tls_fullchain')) {
      env.TLS_DIR = '/etc/nginx/tls'
      for (const f of ['fullchain', 'privkey'])
        mounted.push({ source: `tls_${f}`, target: `/etc/nginx/tls/${f}.pem` })
    }
  }
  out.image = image(s, c.image ?? `medic-scribe/${name}`, name === 'api' ? s.apiTag : s.tag)
  for (const key of ['command', 'entrypoint', 'user', 'stop_grace_period', 'logging'] as const)
    if (c[key] !== undefined && c[key] !== null) out[key] = c[key]
  if (Object.keys(env).length) out.environment = env
  if (c.healthcheck) out.healthcheck = c.healthcheck
  if (c.read_only) out.read_only = true
  if (c.cap_drop) out.cap_drop = c.cap_drop
  const volumes: unknown[] = []
  for (const v of c.volumes ?? []) {
    // Bind mounts name paths on the operator's machine, which other nodes lack; the stack's
    // files are in the bucket, certificates in the edge's self-signed or mounted secrets.
    if (v.type !== 'volume' || !v.source) continue
    if (name === 'api' && (v.target === '/data/audio' || v.target === '/data/notes')) continue
    if (name === 'edge') continue
    volumes.push({ type: 'volume', source: v.source, target: v.target, read_only: v.read_only })
  }
  for (const t of c.tmpfs ?? []) volumes.push(tmpfsMount(t))
  if (volumes.length) out.volumes = volumes
  if (mounted.length) out.secrets = mounted
  if (c.configs?.length) out.configs = c.configs
  if (name === 'edge')
    out.ports = [
      { target: 8080, published: s.httpPort, protocol: 'tcp', mode: 'host' },
      { target: 8443, published: s.httpsPort, protocol: 'tcp', mode: 'host' },
    ]
  out.networks = ['scribe']
  const limits: Record<string, unknown> = {}
  if (c.mem_limit !== undefined) limits.memory = String(bytes(c.mem_limit))
  if (c.cpus !== undefined) limits.cpus = String(c.cpus)
  if (c.pids_limit !== undefined) limits.pids = c.pids_limit
  const deploy: Record<string, unknown> = {
    endpoint_mode: 'dnsrr',
    resources: { limits },
    restart_policy: { condition: 'any', delay: '1s' },
  }
  if (name === 'api' || name === 'stt') {
    deploy.replicas = name === 'api' ? s.apiReplicas : s.sttReplicas
    Object.assign(deploy, rolling)
    // One replica per node while there are enough nodes: a lost node takes one replica only.
    deploy.placement = { preferences: [{ spread: 'node.id' }] }
  } else if (name === 'postgres') {
    deploy.replicas = 1
    // Its volume is on one node: the database runs there and nowhere else. Two copies on one
    // data directory would corrupt it, hence stop-first.
    deploy.placement = { constraints: [`node.labels.${POSTGRES_LABEL} == true`] }
    deploy.update_config = { order: 'stop-first', failure_action: 'rollback' }
  } else if (name === 'edge') {
    deploy.mode = 'global'
    deploy.update_config = { parallelism: 1, order: 'stop-first', failure_action: 'rollback' }
  } else {
    deploy.replicas = 1
  }
  out.deploy = JSON.parse(JSON.stringify(deploy)) as unknown
  return out
}

/** The stack's own S3 server when the operator names none: SeaweedFS, pinned to its volume. */
function objectsService(s: SwarmSettings): Record<string, unknown> {
  return {
    image: s.objectsImage ?? image(s, 'medic-scribe/seaweedfs', s.tag),
    environment: { S3_BUCKET: OBJECTS_BUCKET, S3_CONFIG_FILE: '/run/secrets/s3_config' },
    secrets: [{ source: 's3_config' }],
    volumes: [{ type: 'volume', source: 'objects', target: '/data' }],
    networks: ['scribe'],
    deploy: {
      endpoint_mode: 'dnsrr',
      replicas: 1,
      placement: { constraints: [`node.labels.${OBJECTS_LABEL} == true`] },
      update_config: { order: 'stop-first', failure_action: 'rollback' },
      restart_policy: { condition: 'any', delay: '1s' },
      resources: { limits: { memory: String(1024 ** 3) } },
    },
  }
}

/** The stack file for `docker stack deploy`, as a plain object (written as JSON: YAML 1.2). */
export function toStackFile(
  compose: ComposeConfig,
  s: SwarmSettings
): { file: Record<string, unknown>; secrets: SwarmSecret[] } {
  const secrets = secretsFor(s)
  const byKey = new Map(secrets.map((x) => [x.key, x]))
  const services: Record<string, unknown> = {}
  for (const [name, c] of Object.entries(compose.services)) {
    if (s.without?.includes(name)) continue
    services[name] = service(name, c, s, byKey)
  }
  if (!s.s3) services.objects = objectsService(s)
  const volumes: Record<string, unknown> = {}
  for (const svc of Object.values(services) as { volumes?: { type: string; source?: string }[] }[])
    for (const v of svc.volumes ?? []) if (v.type === 'volume' && v.source) volumes[v.source] = {}
  const used = new Set(
    (Object.values(services) as { secrets?: { source: string }[] }[]).flatMap((x) =>
      (x.secrets ?? []).map((m) => m.source)
    )
  )
  const kept = secrets.filter((x) => used.has(x.key))
  return {
    file: {
      version: '3.9',
      services,
      networks: { scribe: { driver: 'overlay', attachable: true } },
      volumes,
      secrets: Object.fromEntries(kept.map((x) => [x.key, { external: true, name: x.name }])),
      ...(compose.configs ? { configs: compose.configs } : {}),
    },
    secrets: kept,
  }
}
