import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashTreeReusing } from '../../ops/lib/manifest.ts'
import { linkFiles } from '../../ops/steps/backup/link.ts'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')

describe('incremental manifest hashing', () => {
  let dir = ''
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scribe-hash-'))
    await mkdir(join(dir, 'audio'), { recursive: true })
    await writeFile(join(dir, 'audio/a.wav'), 'first')
    await writeFile(join(dir, 'audio/b.wav'), 'second')
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('should hash only files that are new or changed since the cache was made', async () => {
    const first = await hashTreeReusing(dir, {})
    expect(first.reused).toBe(0)
    await writeFile(join(dir, 'audio/c.wav'), 'third')
    const second = await hashTreeReusing(dir, first.next)
    expect(second.reused).toBe(2)
    expect(second.files.map((f) => f.path)).toEqual(['audio/a.wav', 'audio/b.wav', 'audio/c.wav'])
    expect(second.files[2]!.sha256).toBe(sha('third'))
  })

  it('should hash a file again when its size or modification time changed', async () => {
    const first = await hashTreeReusing(dir, {})
    // Same size, new content, new mtime: the cached hash must not be trusted.
    await writeFile(join(dir, 'audio/a.wav'), 'FIRST')
    const later = new Date(Date.now() + 5_000)
    await utimes(join(dir, 'audio/a.wav'), later, later)
    const second = await hashTreeReusing(dir, first.next)
    expect(second.reused).toBe(1)
    expect(second.files[0]!.sha256).toBe(sha('FIRST'))
  })

  it('should never trust a cache entry for another size, even with the same mtime', async () => {
    const first = await hashTreeReusing(dir, {})
    const forged = { ...first.next, 'audio/b.wav': { ...first.next['audio/b.wav']!, size: 99 } }
    const second = await hashTreeReusing(dir, forged)
    expect(second.files[1]!.sha256).toBe(sha('second'))
  })
})

describe('staging a backup by hard links', () => {
  let root = ''
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'scribe-link-'))
    for (const d of ['vol/audio/ab', 'vol/audio/.orphans', 'vol/audio/.tmp', 'vol/notes/cd'])
      await mkdir(join(root, d), { recursive: true })
    await writeFile(join(root, 'vol/audio/ab/x.wav'), 'audio')
    await writeFile(join(root, 'vol/audio/ab/late.wav'), 'written after the dump')
    await writeFile(join(root, 'vol/audio/.orphans/o.wav'), 'orphan')
    await writeFile(join(root, 'vol/audio/.tmp/upload'), 'in progress')
    await writeFile(join(root, 'vol/notes/cd/n.json'), '{}')
  })
  afterEach(() => rm(root, { recursive: true, force: true }))

  const volumes = () => ({ audio: join(root, 'vol/audio'), notes: join(root, 'vol/notes') })

  it('should link the referenced files and the orphans without copying, and count the rest', async () => {
    const staging = join(root, 'staging')
    const got = await linkFiles(volumes(), ['audio/ab/x.wav', 'notes/cd/n.json'], staging)
    expect(got).toEqual({ present: 3, missing: [], total: 4 })
    expect(await readFile(join(staging, 'audio/.orphans/o.wav'), 'utf8')).toBe('orphan')
    const [src, dst] = await Promise.all([
      stat(join(root, 'vol/audio/ab/x.wav')),
      stat(join(staging, 'audio/ab/x.wav')),
    ])
    expect(dst.ino).toBe(src.ino)
    // Removing the staging folder removes links only: the volume keeps its file.
    await rm(staging, { recursive: true })
    expect(await readFile(join(root, 'vol/audio/ab/x.wav'), 'utf8')).toBe('audio')
  })

  it('should name what the database references but the volume lacks', async () => {
    const got = await linkFiles(volumes(), ['audio/zz/gone.wav'], join(root, 'staging'))
    expect(got.missing).toEqual(['audio/zz/gone.wav'])
  })
})
