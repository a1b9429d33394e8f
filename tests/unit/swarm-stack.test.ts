import { describe, expect, it } from 'vitest'
import { POSTGRES_LABEL, toStackFile } from '../../ops/lib/swarm-stack.ts'
import type { ComposeConfig, SwarmSettings } from '../../ops/lib/swarm-stack.ts'

// A trimmed `docker compose config --format json` of compose.yml + compose.local.yml, as the
// deploy renders it with placeholder secrets.
const compose: ComposeConfig = {
  services: {
    postgres: {
      image: 'medic-scribe/postgres:t1',
      environment: { POSTGRES_USER: 'scribe', POSTGRES_PASSWORD: 'placeholder' },
      volumes: [{ type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data' }],
      tmpfs: ['/tmp:size=64m,mode=1777'],
      mem_limit: '536870912',
      cpus: 1,
      pids_limit: 200,
      depends_on: {},
      restart: 'unless-stopped',
      security_opt: ['no-new-privileges:true'],
      read_only: true,
      cap_drop: ['ALL'],
    },
    stt: { image: 'medic-scribe/stt:t1', mem_limit: '805306368' },
    api: {
      image: 'medic-scribe/api:t1',
      environment: {
        DATABASE_URL: 'postgres://scribe:placeholder@postgres:5432/scribe',
        JWT_SECRET: 'placeholder',
        STORAGE: 'disk',
        S3_ACCESS_KEY_ID: '',
        OPENAI_API_KEY: '',
        MAX_UPLOAD_MB: '200',
      },
      volumes: [
        { type: 'volume', source: 'audio', target: '/data/audio' },
        { type: 'volume', source: 'notes', target: '/data/notes' },
      ],
      healthcheck: { interval: '5s', timeout: '5s', retries: 3 },
    },
    edge: {
      image: 'medic-scribe/edge:t1',
      environment: { TLS_DIR: '/etc/nginx/tls', HTTPS_PORT: '8443' },
      ports: [{ target: 8443, published: '8443' }],
      volumes: [
        { type: 'volume', source: 'acme', target: '/var/www/acme', read_only: true },
        { type: 'bind', source: '/srv/certs', target: '/etc/nginx/tls', read_only: true },
      ],
    },
  },
}

const settings: SwarmSettings = {
  stack: 'scribe',
  registry: '10.0.0.2:5000',
  tag: 't1',
  apiTag: 't2',
  apiReplicas: 3,
  sttReplicas: 2,
  httpPort: 80,
  httpsPort: 443,
  postgresPassword: 'pg-password-value',
  jwtSecret: 'j'.repeat(40),
  objectsKeys: { accessKeyId: 'objects-id', secret: 'objects-secret-value' },
}

type Service = {
  image: string
  environment?: Record<string, string>
  secrets?: { source: string }[]
  volumes?: { type: string; source?: string; target: string }[]
  ports?: { published: number; mode: string }[]
  deploy: Record<string, unknown> & {
    replicas?: number
    mode?: string
    placement?: { constraints?: string[] }
    update_config?: Record<string, unknown>
    rollback_config?: Record<string, unknown>
    resources?: { limits: Record<string, unknown> }
  }
}
const build = (s = settings) => {
  const { file, secrets } = toStackFile(compose, s)
  return { file, secrets, svc: file.services as Record<string, Service> }
}

describe('the Swarm stack file generated from the compose model', () => {
  it('replicates api and stt with start-first updates that Swarm rolls back on failure', () => {
    const { svc } = build()
    expect(svc.api!.deploy.replicas).toBe(3)
    expect(svc.stt!.deploy.replicas).toBe(2)
    for (const name of ['api', 'stt']) {
      expect(svc[name]!.deploy.update_config).toMatchObject({
        order: 'start-first',
        failure_action: 'rollback',
        monitor: expect.stringMatching(/^\d+s$/),
      })
      expect(svc[name]!.deploy.rollback_config).toMatchObject({ order: 'start-first' })
    }
  })

  it('keeps no secret in any environment: services read them from /run/secrets', () => {
    const { file, svc, secrets } = build()
    const text = JSON.stringify(file)
    for (const value of [
      'pg-password-value',
      'j'.repeat(40),
      'objects-secret-value',
      'placeholder',
    ])
      expect(text).not.toContain(value)
    expect(svc.api!.environment).toMatchObject({
      DATABASE_URL_FILE: '/run/secrets/database_url',
      JWT_SECRET_FILE: '/run/secrets/jwt_secret',
      S3_SECRET_ACCESS_KEY_FILE: '/run/secrets/s3_secret_access_key',
    })
    expect(svc.postgres!.environment).toMatchObject({
      POSTGRES_PASSWORD_FILE: '/run/secrets/postgres_password',
    })
    expect(secrets.find((s) => s.key === 'database_url')!.value).toBe(
      'postgres://scribe:pg-password-value@postgres:5432/scribe'
    )
    // Every secret a service mounts is declared, external, under its hashed name.
    const declared = file.secrets as Record<string, { external: boolean; name: string }>
    for (const s of Object.values(svc).flatMap((x) => x.secrets ?? []))
      expect(declared[s.source]).toMatchObject({ external: true })
  })

  it('names each secret after its value, so a changed password is a new secret', () => {
    const a = build().secrets.find((s) => s.key === 'postgres_password')!
    const b = build({ ...settings, postgresPassword: 'another' }).secrets.find(
      (s) => s.key === 'postgres_password'
    )!
    expect(a.name).toMatch(/^scribe_postgres_password_[0-9a-f]{10}$/)
    expect(b.name).not.toBe(a.name)
  })

  it('pins Postgres to the node labelled with its volume, stopped before it is replaced', () => {
    const { svc } = build()
    expect(svc.postgres!.deploy.placement!.constraints).toEqual([
      `node.labels.${POSTGRES_LABEL} == true`,
    ])
    expect(svc.postgres!.deploy.update_config).toMatchObject({ order: 'stop-first' })
  })

  it('puts files in the shared bucket, served by a SeaweedFS service unless S3 is given', () => {
    const { svc } = build()
    expect(svc.api!.environment).toMatchObject({
      STORAGE: 's3',
      S3_ENDPOINT: 'http://objects:8333',
    })
    expect((svc.api!.volumes ?? []).map((v) => v.target)).not.toContain('/data/audio')
    expect(svc.objects!.deploy.placement!.constraints![0]).toMatch(/medic-scribe.objects/)
    const { objectsKeys: _keys, ...withoutKeys } = settings
    const external = build({
      ...withoutKeys,
      s3: {
        endpoint: 'https://s3.example.org',
        bucket: 'b1',
        region: 'eu',
        accessKeyId: 'k',
        secret: 's',
      },
    }).svc
    expect(external.objects).toBeUndefined()
    expect(external.api!.environment!.S3_ENDPOINT).toBe('https://s3.example.org')
  })

  it('runs the edge on every node, spreading requests over the api tasks itself', () => {
    const { svc } = build()
    expect(svc.edge!.deploy.mode).toBe('global')
    expect(svc.edge!.environment).toMatchObject({
      API_UPSTREAM: 'tasks.api:8080',
      HTTPS_PORT: '443',
    })
    expect(svc.edge!.ports).toEqual(
      expect.arrayContaining([expect.objectContaining({ published: 443, mode: 'host' })])
    )
    // No bind mounts: a path on the operator's machine is missing on the other nodes.
    expect(svc.edge!.volumes ?? []).toEqual([])
  })

  it('pulls from the registry, the api at its own tag; maps limits and drops what Swarm ignores', () => {
    const { svc } = build()
    expect(svc.api!.image).toBe('10.0.0.2:5000/medic-scribe/api:t2')
    expect(svc.postgres!.image).toBe('10.0.0.2:5000/medic-scribe/postgres:t1')
    expect(svc.postgres!.deploy.resources!.limits).toEqual({
      memory: '536870912',
      cpus: '1',
      pids: 200,
    })
    expect(svc.postgres!.volumes).toContainEqual({
      type: 'tmpfs',
      target: '/tmp',
      tmpfs: { size: 64 * 1024 ** 2 },
    })
    for (const key of ['depends_on', 'restart', 'security_opt'])
      expect(svc.postgres).not.toHaveProperty(key)
    for (const s of Object.values(svc)) expect(s.deploy.endpoint_mode).toBe('dnsrr')
  })
})
