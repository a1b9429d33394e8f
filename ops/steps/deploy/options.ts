// What a deploy or a rollback is asked to do, parsed once from the command line (ops/deploy.ts,
// ops/rollback.ts share it).
import { z } from 'zod'
import type { StackMode } from '../../lib/compose.ts'
import { projectName } from '../../lib/env.ts'
import type { OpsEnv } from '../../lib/env.ts'
import { TAG_PATTERN } from '../../lib/release.ts'

export const releaseShape = {
  'dry-run': z.boolean().default(false),
  version: z.string().regex(TAG_PATTERN, 'not a valid image tag').optional(),
  // Defaults from the operator's settings (ops/lib/env.ts), applied in toOptions.
  project: projectName.optional(),
  mode: z.enum(['local', 'prod']).optional(),
  'env-file': z.string().optional(),
  overlay: z.string().optional(),
  context: z.string().optional(),
  transfer: z.enum(['never', 'if-missing', 'always']).default('if-missing'),
  'health-timeout': z.coerce.number().int().min(5).default(120),
  watch: z.coerce.number().int().min(0).default(20),
  'max-error-rate': z.coerce.number().min(0).max(1).default(0.01),
  keep: z.coerce.number().int().min(1).default(3),
  drain: z.coerce.number().int().min(0).default(30),
  'min-free-mb': z.coerce.number().int().min(0).default(2048),
}
export const releaseStrings = [
  'version',
  'project',
  'mode',
  'env-file',
  'overlay',
  'context',
  'transfer',
  'health-timeout',
  'watch',
  'max-error-rate',
  'keep',
  'drain',
  'min-free-mb',
]

export const RELEASE_FLAGS_HELP = `
  --version TAG         ${'the release (medic-scribe/api:TAG)'}
  --project NAME        compose project on the target (default COMPOSE_PROJECT_NAME or medic-scribe)
  --mode local|prod     compose files to use (default STACK_MODE or local)
  --env-file PATH       settings and secrets (default SCRIBE_ENV_FILE or compose/.env); API_TAG
                        is written there
  --overlay FILE        a compose file the stack was started with on top (a name in compose/,
                        e.g. compose.monitor.yml, or a path), so the new api is configured alike
  --context NAME        a Docker context as the target (or set DOCKER_HOST=ssh://user@host)
  --transfer WHEN       send the image with docker save | docker load: if-missing (default:
                        when the target is another engine), always, never
  --health-timeout S    how long the new api gets to become healthy (default 120)
  --watch S             seconds of watching the error rate after the switch (default 20)
  --max-error-rate R    5xx share through the edge that triggers a rollback (default 0.01)
  --keep N              release images kept on the target (default 3)
  --drain S             seconds the old api gets to finish in-flight work (default 30)
  --min-free-mb MB      free disk the target must have (default 2048)
  --dry-run             print the plan, change nothing
  --help                this text`

type Flags = z.infer<z.ZodObject<typeof releaseShape>>

export type ReleaseOptions = {
  kind: 'deploy' | 'rollback'
  dryRun: boolean
  version: string | undefined
  project: string
  mode: StackMode
  envFile: string
  /** Compose files merged on top of the mode's, as the stack was started. */
  overlays: string[]
  context: string | undefined
  transfer: 'never' | 'if-missing' | 'always'
  healthTimeoutS: number
  watchS: number
  maxErrorRate: number
  keep: number
  drainS: number
  minFreeMB: number
  build: boolean
  allowDirty: boolean
}

export function toOptions(
  kind: ReleaseOptions['kind'],
  f: Flags,
  env: Pick<OpsEnv, 'COMPOSE_PROJECT_NAME' | 'STACK_MODE' | 'envFile'>,
  extra: { build: boolean; allowDirty: boolean }
): ReleaseOptions {
  return {
    kind,
    dryRun: f['dry-run'],
    version: f.version,
    project: f.project ?? env.COMPOSE_PROJECT_NAME,
    mode: f.mode ?? env.STACK_MODE,
    envFile: f['env-file'] ?? env.envFile,
    overlays: f.overlay ? [f.overlay] : [],
    context: f.context,
    transfer: f.transfer,
    healthTimeoutS: f['health-timeout'],
    watchS: f.watch,
    maxErrorRate: f['max-error-rate'],
    keep: f.keep,
    drainS: f.drain,
    minFreeMB: f['min-free-mb'],
    ...extra,
  }
}
