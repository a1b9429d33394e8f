// Metrics that ops scripts publish for the monitor: Prometheus textfile-collector files that the
// node exporter reads from METRICS_TEXTFILE_DIR. Written atomically (temporary name, fsync,
// rename), because the exporter reads the folder at any moment and a half-written file would
// be a scrape error, or worse a heartbeat of 0.
import { open, rename, rm, mkdir, chmod } from 'node:fs/promises'
import { path } from 'zx'

const NAME = /^[a-z0-9][a-z0-9_-]*$/

/** Writes `<dir>/<name>.prom` atomically; the folder is created (world-readable) if missing. */
export async function writeTextfileMetrics(
  dir: string,
  name: string,
  text: string
): Promise<string> {
  if (!NAME.test(name)) throw new Error(`not a textfile metrics name: ${name}`)
  // 755: the exporter runs as its own user inside its container and must list the folder.
  await mkdir(dir, { recursive: true, mode: 0o755 })
  const file = path.join(dir, `${name}.prom`)
  const tmp = `${file}.${process.pid}.tmp`
  const body = text.endsWith('\n') ? text : `${text}\n`
  try {
    const handle = await open(tmp, 'w', 0o644)
    try {
      await handle.writeFile(body)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await chmod(tmp, 0o644)
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  // The rename is durable only once the folder's entry is on disk too.
  const folder = await open(dir, 'r')
  try {
    await folder.sync()
  } finally {
    await folder.close()
  }
  return file
}

/** One gauge in the text exposition format, with its HELP and TYPE lines. */
export function gauge(
  metric: string,
  help: string,
  samples: { labels?: Record<string, string>; value: number }[]
): string {
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
  const lines = [`# HELP ${metric} ${help}`, `# TYPE ${metric} gauge`]
  for (const s of samples) {
    const labels = Object.entries(s.labels ?? {})
      .map(([k, v]) => `${k}="${escape(v)}"`)
      .join(',')
    lines.push(`${metric}${labels ? `{${labels}}` : ''} ${s.value}`)
  }
  return `${lines.join('\n')}\n`
}
