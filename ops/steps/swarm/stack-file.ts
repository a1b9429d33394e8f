// The stack file, generated from the compose files (ops/lib/swarm-stack.ts says what changes):
// `docker compose config` renders them as this deploy would on one host, with placeholders for
// the secrets (which leave the environment), and the result is written to
// build/swarm/<stack>-<engine id>/stack.json. It holds no secret values: those are Swarm secrets.
import { createHmac } from 'node:crypto'
import { $, fs, path } from 'zx'
import { CERTS_DIR, composeArgs } from '../../lib/compose.ts'
import { localCertPaths } from '../../lib/local-ca.ts'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { seaweedfsImageRef } from '../../lib/seaweedfs-image.ts'
import { toStackFile } from '../../lib/swarm-stack.ts'
import type { ComposeConfig, SwarmSettings } from '../../lib/swarm-stack.ts'
import { swarmDir } from './context.ts'
import type { SwarmContext } from './context.ts'
import { childEnv } from '../../lib/env.ts'

const PLACEHOLDER = 'swarm-secret-placeholder-not-used-0000000000'

/** The rendered compose model: the operator's settings, secrets replaced by placeholders. */
export async function renderCompose(c: SwarmContext): Promise<ComposeConfig> {
  const envFile = (await fs.pathExists(c.env.envFile)) ? c.env.envFile : null
  const args = composeArgs(c.env.STACK_MODE, { envFile, extraFiles: c.env.SWARM_COMPOSE_FILES })
  const out = await $({
    quiet: true,
    timeout: '60s',
    env: childEnv({
      POSTGRES_PASSWORD: PLACEHOLDER,
      JWT_SECRET: PLACEHOLDER,
      SCRIBE_TAG: c.tag,
      API_TAG: c.apiTag,
    }),
  })`docker ${args} config --format json`
  return JSON.parse(out.stdout) as ComposeConfig
}

/** The certificate `make up` or `make certs` left in compose/certs/server, if any. */
async function edgeCertificate(): Promise<{ tls?: { fullchain: string; privkey: string } }> {
  const p = localCertPaths(CERTS_DIR)
  if (!(await fs.pathExists(p.serverCert)) || !(await fs.pathExists(p.serverKey))) return {}
  return {
    tls: {
      fullchain: await fs.readFile(p.serverCert, 'utf8'),
      privkey: await fs.readFile(p.serverKey, 'utf8'),
    },
  }
}

/** The settings the transform takes, from the operator's environment and this run's flags. */
export async function swarmSettings(c: SwarmContext): Promise<SwarmSettings> {
  const { env } = c
  if (!env.POSTGRES_PASSWORD || !env.JWT_SECRET)
    throw new StopError(
      'POSTGRES_PASSWORD and JWT_SECRET are not set',
      `set them in ${env.envFile} (make up writes both), or in the environment`
    )
  // The stack's own object store needs keys that stay the same from one deploy to the next
  // (its secrets are named by value): derived from the JWT secret unless given.
  const derived = (what: string) =>
    createHmac('sha256', env.JWT_SECRET!).update(`swarm-objects-${what}`).digest('hex').slice(0, 32)
  const s3 =
    env.S3_ENDPOINT && env.S3_BUCKET && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
      ? {
          endpoint: env.S3_ENDPOINT,
          bucket: env.S3_BUCKET,
          region: env.S3_REGION,
          accessKeyId: env.S3_ACCESS_KEY_ID,
          secret: env.S3_SECRET_ACCESS_KEY,
        }
      : undefined
  if (env.S3_ENDPOINT && !s3)
    throw new StopError(
      'S3_ENDPOINT is set without S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY',
      'set all four, or none to run the stack’s own object store'
    )
  return {
    stack: c.stack,
    registry: c.registry ?? '',
    tag: c.tag,
    apiTag: c.apiTag,
    apiReplicas: c.apiReplicas,
    sttReplicas: c.sttReplicas,
    httpPort: env.HTTP_PORT ?? 8080,
    httpsPort: env.HTTPS_PORT ?? 8443,
    postgresPassword: env.POSTGRES_PASSWORD,
    jwtSecret: env.JWT_SECRET,
    ...(s3
      ? { s3 }
      : {
          objectsKeys: {
            accessKeyId: `scribe-${derived('id').slice(0, 12)}`,
            secret: derived('key'),
          },
          objectsImage: `${c.registry ? `${c.registry}/` : ''}${await seaweedfsImageRef()}`,
        }),
    without: env.SWARM_WITHOUT,
    ...(await edgeCertificate()),
    providerKeys: {
      ...(env.OPENAI_API_KEY ? { OPENAI_API_KEY: env.OPENAI_API_KEY } : {}),
      ...(env.DEEPGRAM_API_KEY ? { DEEPGRAM_API_KEY: env.DEEPGRAM_API_KEY } : {}),
    },
  }
}

export const stackFile = defineStep<SwarmContext>({
  name: 'stack file from the compose files',
  changes: false,
  run: async (c) => {
    const { file, secrets } = toStackFile(await renderCompose(c), await swarmSettings(c))
    c.secrets = secrets
    // The images the nodes will pull, each from the local one of the same name.
    const prefix = c.registry ? `${c.registry}/` : ''
    c.images = new Map(
      Object.values(file.services as Record<string, { image: string }>).map(({ image }) => [
        image.startsWith(prefix) ? image.slice(prefix.length) : image,
        image,
      ])
    )
    c.stackFile = path.join(swarmDir(c.stack), 'stack.json')
    await fs.mkdirp(path.dirname(c.stackFile))
    await fs.writeFile(c.stackFile, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
    const services = Object.keys(file.services as object)
    return `${path.relative(process.cwd(), c.stackFile)}: ${services.join(', ')}`
  },
})
