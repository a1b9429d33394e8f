// What `make up` does for the monitor before compose starts it: its images (cached by content
// hash), its rendered configuration, the textfile folder, and the variables compose.monitor.yml
// reads.
import { fs } from 'zx'
import type { StackMode } from '../compose.ts'
import type { OpsContext } from '../context.ts'
import type { OpsEnv } from '../env.ts'
import { step } from '../step.ts'
import { MONITOR_IMAGES, ensureMonitorImage } from './images.ts'
import {
  MONITOR_UID,
  SECRET_FILES,
  monitorConfigDir,
  monitorFiles,
  writeMonitorConfig,
} from './render.ts'
import { monitorImageRef } from './images.ts'

/** Whether the stack runs with its monitor: the flag, else the setting, else prod mode. */
export const monitorWanted = (flag: boolean | undefined, env: OpsEnv, mode: StackMode): boolean =>
  flag ?? env.MONITOR_ENABLED ?? mode === 'prod'

/** The variables compose.monitor.yml interpolates, as absolute paths and values. */
export function monitorComposeEnv(env: OpsEnv, configDir: string): Record<string, string> {
  return {
    MONITOR_CONFIG_DIR: configDir,
    METRICS_TEXTFILE_DIR: env.METRICS_TEXTFILE_DIR,
    PROMETHEUS_RETENTION: env.PROMETHEUS_RETENTION,
    PROMETHEUS_PORT: String(env.PROMETHEUS_PORT),
    ALERTMANAGER_PORT: String(env.ALERTMANAGER_PORT),
  }
}

export async function prepareMonitor(
  ctx: OpsContext,
  env: OpsEnv,
  mode: StackMode
): Promise<Record<string, string>> {
  for (const name of MONITOR_IMAGES) {
    await step(`image ${name}`, () => ensureMonitorImage(ctx, name, env.SCRIBE_TAG))
  }
  const dir = monitorConfigDir(env.COMPOSE_PROJECT_NAME)
  await step('monitor configuration', async () => {
    const files = monitorFiles(env, mode)
    if (ctx.dryRun) return `would write ${Object.keys(files).join(', ')} into ${dir}`
    const written = await writeMonitorConfig(dir, files, mode)
    await ownSecretFiles(ctx, dir, env.SCRIBE_TAG)
    // The node exporter mounts it: it must exist (world-readable) before compose starts.
    await fs.mkdirp(env.METRICS_TEXTFILE_DIR)
    await fs.chmod(env.METRICS_TEXTFILE_DIR, 0o755)
    return `${written.join(', ')} in ${dir}`
  })
  return monitorComposeEnv(env, dir)
}

/**
 * An operator who is not root cannot give a file to another user: the Alertmanager image, run
 * once as root with no network, does it, so the secrets stay readable by its user alone.
 */
async function ownSecretFiles(ctx: OpsContext, dir: string, tag: string) {
  if (process.getuid?.() === 0) return
  const files = SECRET_FILES.map((f) => `/etc/monitor/${f}`)
  await ctx.runQuiet`timeout 60 docker run --rm --network none --user 0 --entrypoint chown -v ${`${dir}:/etc/monitor`} ${monitorImageRef('alertmanager', tag)} ${`${MONITOR_UID}:${MONITOR_UID}`} ${files}`
}
