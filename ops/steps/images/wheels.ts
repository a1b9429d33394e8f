// The stt image's Python wheels (compose/images/stt/requirements.txt), downloaded from PyPI on
// the host once and cached: image builds cannot reach PyPI. The cache is keyed by the pinned
// file's hash, so a changed pin downloads afresh and an unchanged one never touches the network.
import { createHash } from 'node:crypto'
import { homedir } from 'node:os'
import { $, fs, path } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { fromRoot } from '../../lib/paths.ts'
import { detail } from '../../lib/step.ts'

export const STT_REQUIREMENTS = fromRoot('compose', 'images', 'stt', 'requirements.txt')

// Debian trixie's python3 on x86_64: the wheels must match it, not the host's Python.
const TARGET = [
  ['--python-version', '3.13'],
  ['--implementation', 'cp'],
  ['--platform', 'manylinux_2_28_x86_64'],
  ['--platform', 'manylinux_2_27_x86_64'],
  ['--platform', 'manylinux_2_17_x86_64'],
  ['--platform', 'manylinux2014_x86_64'],
  ['--platform', 'any'],
].flat()

export const wheelCacheDir = (requirements: string): string => {
  const key = createHash('sha256').update(requirements).digest('hex').slice(0, 16)
  return path.join(homedir(), '.cache', 'medic-scribe', 'wheels', `stt-${key}`)
}

/** The cached wheelhouse for the pinned file, downloading it first when missing. */
export async function cachedWheels(): Promise<string> {
  const requirements = await fs.readFile(STT_REQUIREMENTS, 'utf8')
  const dir = wheelCacheDir(requirements)
  if (await fs.pathExists(path.join(dir, 'requirements.txt'))) return dir
  if (!(await $({ quiet: true, nothrow: true, timeout: '20s' })`python3 -m pip --version`).ok)
    throw new StopError('python3 -m pip is not available', 'install python3-pip (Debian) and retry')
  const partial = `${dir}.partial-${process.pid}`
  await fs.rm(partial, { recursive: true, force: true })
  detail(`downloading the stt image's wheels from PyPI into ${dir} (about 290 MB, once)`)
  try {
    // --require-hashes: every file checked against its pin; --no-deps: the file lists them all.
    await $({
      timeout: '20m',
      quiet: true,
    })`python3 -m pip download --disable-pip-version-check --no-deps --require-hashes --only-binary=:all: ${TARGET} -r ${STT_REQUIREMENTS} -d ${partial}`
  } catch (err) {
    await fs.rm(partial, { recursive: true, force: true })
    const stderr = String((err as { stderr?: string }).stderr ?? err)
    const line = stderr.trim().split('\n').filter(Boolean).at(-1) ?? 'pip failed'
    throw new StopError(
      `could not download the stt wheels: ${line}`,
      'check that PyPI is reachable'
    )
  }
  await fs.copy(STT_REQUIREMENTS, path.join(partial, 'requirements.txt'))
  await fs.rm(dir, { recursive: true, force: true })
  await fs.rename(partial, dir)
  return dir
}

/** Hard-links the wheelhouse into the stt context's wheels/ (a copy across file systems). */
export async function stageWheels(contextDir: string): Promise<void> {
  const from = await cachedWheels()
  const to = path.join(contextDir, 'wheels')
  await fs.mkdirp(to)
  for (const name of await fs.readdir(from)) {
    if (name === 'requirements.txt') continue // the context has it from compose/images/stt
    await fs
      .link(path.join(from, name), path.join(to, name))
      .catch(() => fs.copy(path.join(from, name), path.join(to, name)))
  }
}
