// Prometheus textfile-collector files for the monitor's node exporter (the shared convention):
// `<dir>/<name>.prom`, written atomically so the exporter never reads half a file.
import { fs, path } from 'zx'

export async function writeTextfileMetrics(
  dir: string,
  name: string,
  text: string
): Promise<string> {
  await fs.mkdir(dir, { recursive: true })
  const file = path.join(dir, `${name}.prom`)
  const tmp = `${file}.${process.pid}.tmp`
  const handle = await fs.promises.open(tmp, 'w', 0o644)
  try {
    await handle.writeFile(text.endsWith('\n') ? text : `${text}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await fs.rename(tmp, file)
  return file
}
