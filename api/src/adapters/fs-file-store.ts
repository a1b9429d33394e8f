import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, stat, statfs, readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { Readable } from 'node:stream'
import type { Area, FileStore, TempFile } from '../files/file-store.ts'
import { FileTooLargeError, StorageFullError } from '../files/file-store.ts'

const HEAD_BYTES = 64 * 1024
const TMP = '.tmp'
const ORPHANS = '.orphans'

async function fsyncDir(path: string) {
  const fd = await open(path, 'r')
  try {
    await fd.sync()
  } finally {
    await fd.close()
  }
}

/** A full disk (or no inode left) becomes StorageFullError, which the API answers with 507. */
const asStorageFull = (err: unknown, area: Area) =>
  (err as { code?: string }).code === 'ENOSPC' || (err as { code?: string }).code === 'EDQUOT'
    ? new StorageFullError(area)
    : err

/** Files on local disk under one folder per area (the stack mounts a volume on each). */
export async function createFsFileStore(
  roots: Record<Area, string>,
  /** Temporary files younger than this are left alone: another replica may be writing them. */
  staleTmpMs = 0
): Promise<FileStore> {
  const abs: Record<Area, string> = { audio: resolve(roots.audio), notes: resolve(roots.notes) }
  for (const root of Object.values(abs)) {
    await mkdir(join(root, TMP), { recursive: true })
    // Temporary files left by a crash were never acknowledged: remove them. During a rolling
    // deploy the old API may still be streaming an upload into one (its mtime is recent).
    const cutoff = Date.now() - staleTmpMs
    for (const name of await readdir(join(root, TMP))) {
      const s = await stat(join(root, TMP, name)).catch(() => undefined)
      if (s && (staleTmpMs === 0 || s.mtimeMs < cutoff))
        await rm(join(root, TMP, name), { force: true })
    }
  }
  const full = (area: Area, path: string) => {
    const p = resolve(abs[area], path)
    if (!p.startsWith(abs[area] + sep)) throw new Error(`path escapes the ${area} folder: ${path}`)
    return p
  }

  async function writeStream(
    area: Area,
    chunks: AsyncIterable<Uint8Array>,
    maxBytes: number
  ): Promise<TempFile> {
    const tempPath = join(abs[area], TMP, `${randomUUID()}.part`)
    const fd = await open(tempPath, 'wx', 0o640).catch((err: unknown) => {
      throw asStorageFull(err, area)
    })
    const hash = createHash('sha256')
    const head = new Uint8Array(HEAD_BYTES)
    let size = 0
    try {
      for await (const chunk of chunks) {
        size += chunk.byteLength
        if (size > maxBytes) throw new FileTooLargeError(maxBytes)
        if (size - chunk.byteLength < HEAD_BYTES)
          head.set(
            chunk.subarray(0, HEAD_BYTES - (size - chunk.byteLength)),
            size - chunk.byteLength
          )
        hash.update(chunk)
        await fd.write(chunk)
      }
      await fd.sync()
    } catch (err) {
      await fd.close().catch(() => {})
      await rm(tempPath, { force: true })
      throw asStorageFull(err, area)
    }
    await fd.close()
    return {
      area,
      tempPath,
      size,
      sha256: hash.digest('hex'),
      head: head.slice(0, Math.min(size, HEAD_BYTES)),
    }
  }

  async function commit(temp: TempFile, path: string) {
    const target = full(temp.area, path)
    await mkdir(dirname(target), { recursive: true })
    await rename(temp.tempPath, target)
    await fsyncDir(dirname(target))
  }

  return {
    writeTemp: writeStream,
    commit,
    async discard(temp) {
      await rm(temp.tempPath, { force: true })
    },
    async writeAtomic(area, path, bytes) {
      const temp = await writeStream(
        area,
        (async function* () {
          yield bytes
        })(),
        Number.MAX_SAFE_INTEGER
      )
      await commit(temp, path)
      return { sha256: temp.sha256, size: temp.size }
    },
    async read(area, path) {
      return new Uint8Array(await readFile(full(area, path)))
    },
    async size(area, path) {
      try {
        return (await stat(full(area, path))).size
      } catch {
        return undefined
      }
    },
    stream(area, path, range) {
      const nodeStream = createReadStream(full(area, path), range ?? {})
      return Readable.toWeb(nodeStream) as ReadableStream<Uint8Array>
    },
    async remove(area, path) {
      await rm(full(area, path), { force: true })
    },
    async list(area) {
      const out: { path: string; modifiedAt: number }[] = []
      for (const entry of await readdir(abs[area], { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue
        const path = relative(abs[area], join(entry.parentPath, entry.name))
        if (path.startsWith(TMP + sep) || path.startsWith(ORPHANS + sep)) continue
        out.push({ path, modifiedAt: (await stat(join(abs[area], path))).mtimeMs })
      }
      return out
    },
    async quarantine(area, path) {
      const target = join(abs[area], ORPHANS, path)
      await mkdir(dirname(target), { recursive: true })
      await rename(full(area, path), target)
    },
    async check(area) {
      const probe = join(abs[area], TMP, `probe-${randomUUID()}`)
      let writable = true
      try {
        const fd = await open(probe, 'wx')
        await fd.close()
        await rm(probe, { force: true })
      } catch {
        writable = false
      }
      const s = await statfs(abs[area])
      return { writable, freeBytes: s.bavail * s.bsize }
    },
  }
}
