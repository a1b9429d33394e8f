import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  compareManifests,
  hashTree,
  parseDumpData,
  parseHashListing,
} from '../../ops/lib/manifest.ts'
import { acquireLock } from '../../ops/lib/lock.ts'
import { StopError } from '../../ops/lib/errors.ts'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')

describe('backup manifest', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scribe-manifest-'))
    await mkdir(join(dir, 'audio/ab'), { recursive: true })
    await writeFile(join(dir, 'audio/ab/x.wav'), 'RIFF-audio')
    await writeFile(join(dir, 'notes.json'), '{}')
    await writeFile(join(dir, 'manifest.json'), 'left out')
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('should list every file with its size and SHA-256, leaving the manifest itself out', async () => {
    expect(await hashTree(dir)).toEqual([
      { path: 'audio/ab/x.wav', size: 10, sha256: sha('RIFF-audio') },
      { path: 'notes.json', size: 2, sha256: sha('{}') },
    ])
  })

  it('should count rows per table and pick referenced paths out of a data-only dump', () => {
    const dump = [
      'SET statement_timeout = 0;',
      'COPY public.recordings (id, audio_path, sha256) FROM stdin;',
      'r1\tab/r1.wav\tx',
      'r2\tcd/r2.wav\ty',
      '\\.',
      'COPY public.notes (id, recording_id) FROM stdin;',
      '\\.',
      'COPY public.note_versions (note_id, json_path) FROM stdin;',
      'n1\t\\N',
      '\\.',
    ].join('\n')
    const { tables, values } = parseDumpData(dump, [
      'public.recordings.audio_path',
      'public.note_versions.json_path',
    ])
    expect(tables).toEqual({ 'public.recordings': 2, 'public.notes': 0, 'public.note_versions': 1 })
    expect(values.get('public.recordings.audio_path')).toEqual(['ab/r1.wav', 'cd/r2.wav'])
    expect(values.get('public.note_versions.json_path')).toEqual([])
  })

  it('should name every missing, extra and changed file and every row-count change', () => {
    const a = { path: 'audio/a.wav', size: 3, sha256: sha('abc') }
    const b = { path: 'audio/b.wav', size: 3, sha256: sha('def') }
    const expected = { files: [a, b], tables: { 'public.recordings': 2 } }
    const actual = {
      files: [
        { ...a, sha256: sha('abd') },
        { path: 'audio/c.wav', size: 1, sha256: sha('c') },
      ],
      tables: { 'public.recordings': 1 },
    }
    const diffs = compareManifests(expected, actual)
    expect(diffs.map((d) => `${d.kind} ${d.what}`)).toEqual([
      'changed audio/a.wav',
      'missing audio/b.wav',
      'extra audio/c.wav',
      'rows public.recordings',
    ])
    expect(compareManifests(expected, expected)).toEqual([])
  })

  it('should read sha256sum and find listings into manifest entries', () => {
    const files = parseHashListing(`${sha('x')}  ./audio/x.wav\n`, '1\t./audio/x.wav\n')
    expect(files).toEqual([{ path: 'audio/x.wav', size: 1, sha256: sha('x') }])
  })
})

describe('backup lock', () => {
  it('should refuse a second holder while the first is alive, and take over a stale lock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scribe-lock-'))
    const file = join(dir, 'x.lock')
    try {
      const first = await acquireLock(file, 'backup')
      await expect(acquireLock(file, 'restore')).rejects.toThrow(StopError)
      await expect(acquireLock(file, 'restore')).rejects.toThrow(/locked: backup \(pid \d+/)
      await first.release()
      const again = await acquireLock(file, 'restore')
      await again.release()

      // A holder that no longer exists on this host: its lock is stale and is taken over.
      const dead = {
        pid: 2 ** 22 + 7,
        holder: 'backup',
        user: 'x',
        host: (await import('node:os')).hostname(),
        since: 'then',
      }
      await writeFile(file, JSON.stringify(dead))
      const taken = await acquireLock(file, 'backup')
      await taken.release()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
