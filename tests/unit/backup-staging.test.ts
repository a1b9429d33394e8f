import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashTreeReusing } from '../../ops/lib/manifest.ts'
import { mountsUnder } from '../../ops/lib/mounts.ts'

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

describe('releasing mounts before anything is removed', () => {
  it('should find no mount under a plain folder, and the root mount of /', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scribe-mounts-'))
    expect(await mountsUnder(dir)).toEqual([])
    expect(await mountsUnder('/')).toContain('/')
    await rm(dir, { recursive: true })
  })
})
