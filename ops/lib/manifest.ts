import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { path } from 'zx'

// What a backup holds: every file with its size and SHA-256, and every table's row count.
// Paths are relative to the backup's root: `db/scribe.dump`, `audio/<xx>/<id>.wav`, `notes/…`.

export type ManifestFile = { path: string; size: number; sha256: string }
export type Manifest = {
  version: 1
  project: string
  createdAt: string
  files: ManifestFile[]
  tables: Record<string, number>
}
export type Difference = {
  kind: 'missing' | 'extra' | 'changed' | 'rows'
  what: string
  detail: string
}

export const MANIFEST_FILE = 'manifest.json'

const sha256File = (file: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')))
  })

/**
 * What a file hashed before was: its SHA-256, valid while its size and modification time (in
 * nanoseconds) are the same — the test restic itself uses to skip unchanged files.
 */
export type HashCache = Record<string, { size: number; mtimeNs: string; sha256: string }>

/**
 * The files `paths` (relative to `root`), sorted, hashing only those that `previous` does not
 * already know unchanged. Returns the cache for next time and how many hashes were reused.
 */
export async function hashFilesReusing(
  root: string,
  paths: string[],
  previous: HashCache
): Promise<{ files: ManifestFile[]; next: HashCache; reused: number }> {
  const files: ManifestFile[] = []
  const next: HashCache = {}
  let reused = 0
  for (const rel of paths) {
    const full = path.join(root, rel)
    const st = await stat(full, { bigint: true })
    const size = Number(st.size)
    const mtimeNs = String(st.mtimeNs)
    const known = previous[rel]
    const fresh = known && known.size === size && known.mtimeNs === mtimeNs
    const sha256 = fresh ? known.sha256 : await sha256File(full)
    if (fresh) reused++
    next[rel] = { size, mtimeNs, sha256 }
    files.push({ path: rel, size, sha256 })
  }
  files.sort((a, b) => a.path.localeCompare(b.path))
  return { files, next, reused }
}

/** Every regular file under `dir` but the manifest itself, relative, with `/` separators. */
export async function filesIn(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const rel = path
      .relative(dir, path.join(entry.parentPath, entry.name))
      .split(path.sep)
      .join('/')
    if (rel !== MANIFEST_FILE) out.push(rel)
  }
  return out
}

/** `hashFilesReusing` over every file under `dir`. */
export async function hashTreeReusing(
  dir: string,
  previous: HashCache
): Promise<{ files: ManifestFile[]; next: HashCache; reused: number }> {
  return hashFilesReusing(dir, await filesIn(dir), previous)
}

/** Every regular file under `dir` (the manifest itself left out), sorted by path, all hashed. */
export async function hashTree(dir: string): Promise<ManifestFile[]> {
  return (await hashTreeReusing(dir, {})).files
}

/**
 * Parses `pg_restore --data-only -f -` (plain COPY blocks): the row count of every table, and
 * the values of the columns asked for (e.g. `public.recordings.audio_path`).
 */
export function parseDumpData(
  sql: string,
  columns: string[]
): { tables: Record<string, number>; values: Map<string, string[]> } {
  const tables: Record<string, number> = {}
  const values = new Map<string, string[]>(columns.map((c) => [c, []]))
  let table: string | undefined
  let picks: { key: string; index: number }[] = []
  for (const line of sql.split('\n')) {
    if (table === undefined) {
      const m = /^COPY ([\w."]+) \(([^)]*)\) FROM stdin;$/.exec(line)
      if (!m) continue
      table = m[1]!.replaceAll('"', '')
      tables[table] = 0
      const cols = m[2]!.split(',').map((c) => c.trim().replaceAll('"', ''))
      picks = cols
        .map((c, index) => ({ key: `${table}.${c}`, index }))
        .filter((p) => values.has(p.key))
      continue
    }
    if (line === '\\.') {
      table = undefined
      continue
    }
    tables[table] = (tables[table] ?? 0) + 1
    const fields = line.split('\t')
    for (const p of picks) {
      const v = fields[p.index]
      if (v !== undefined && v !== '\\N') values.get(p.key)!.push(v)
    }
  }
  return { tables, values }
}

/** Everything that differs between what the manifest promises and what is there. */
export function compareManifests(
  expected: Pick<Manifest, 'files' | 'tables'>,
  actual: Pick<Manifest, 'files' | 'tables'>
): Difference[] {
  const diffs: Difference[] = []
  const have = new Map(actual.files.map((f) => [f.path, f]))
  for (const f of expected.files) {
    const a = have.get(f.path)
    have.delete(f.path)
    if (!a) diffs.push({ kind: 'missing', what: f.path, detail: `${f.size} bytes` })
    else if (a.size !== f.size || a.sha256 !== f.sha256)
      diffs.push({
        kind: 'changed',
        what: f.path,
        detail: `size ${f.size} → ${a.size}, sha256 ${f.sha256.slice(0, 12)} → ${a.sha256.slice(0, 12)}`,
      })
  }
  for (const a of have.values())
    diffs.push({ kind: 'extra', what: a.path, detail: `${a.size} bytes` })
  const names = new Set([...Object.keys(expected.tables), ...Object.keys(actual.tables)])
  for (const t of [...names].sort()) {
    const want = expected.tables[t]
    const got = actual.tables[t]
    if (want !== got)
      diffs.push({
        kind: 'rows',
        what: t,
        detail: `${want ?? 'no table'} rows → ${got ?? 'no table'}`,
      })
  }
  return diffs
}

export const describeDifference = (d: Difference): string =>
  `${d.kind.padEnd(7)} ${d.what} (${d.detail})`

/** `audio/…` and `notes/…` entries only: what lives in the volumes. */
export const volumeFiles = (files: ManifestFile[]): ManifestFile[] =>
  files.filter((f) => f.path.startsWith('audio/') || f.path.startsWith('notes/'))

/** Parses `sha256sum` lines and `find -printf '%s\t%p\n'` lines into manifest entries. */
export function parseHashListing(sums: string, sizes: string): ManifestFile[] {
  const size = new Map<string, number>()
  for (const line of sizes.split('\n')) {
    const [n, p] = line.split('\t')
    if (n && p) size.set(p.replace(/^\.\//, ''), Number(n))
  }
  const out: ManifestFile[] = []
  for (const line of sums.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line)
    if (!m) continue
    const p = m[2]!.replace(/^\.\//, '')
    out.push({ path: p, sha256: m[1]!, size: size.get(p) ?? -1 })
  }
  return out.sort((a, b) => a.path.localeCompare(b.path))
}
