import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { DEFAULT_TAG } from '../../ops/lib/images.ts'
import { fromRoot } from '../../ops/lib/paths.ts'
import type { Manifest } from '../../ops/lib/manifest.ts'
import { consultationWav } from '../support/audio.ts'
import { connect, until } from './stack.ts'
import type { SettledRecording } from './stack.ts'
import { ops, restic } from './ops-script.ts'

const stack = inject('stack')

describe.skipIf(!stack)('backup and restore', { timeout: 900_000 }, () => {
  const s = connect(stack!)
  let dir = ''
  const settings = (repo: string): Record<string, string> => ({
    RESTIC_REPOSITORY: join(dir, repo),
    RESTIC_PASSWORD_FILE: join(dir, 'restic-password'),
    COMPOSE_PROJECT_NAME: stack!.projectName,
    POSTGRES_PASSWORD: stack!.env.POSTGRES_PASSWORD!,
    SCRIBE_TAG: DEFAULT_TAG,
  })
  const edgeUp = () =>
    until(
      'the api through the edge',
      async () => (await s.request('/health/live')).status === 200,
      120_000
    )

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scribe-backup-'))
  })
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
    await rm(fromRoot('build', 'backup', stack!.projectName), { recursive: true, force: true })
    await rm(fromRoot('build', 'backup', `${stack!.projectName}.lock`), { force: true })
  })

  async function note(token: string) {
    const { rec } = await s.uploadAndSettle(token, await consultationWav())
    expect(rec.status).toBe('done')
    return rec.note_id!
  }

  /** The audio and notes volumes' files, hashed from outside the API. */
  async function volumeSums(): Promise<Map<string, string>> {
    const out = await s.docker(
      'run',
      '--rm',
      '-v',
      `${stack!.projectName}_audio:/data/audio:ro`,
      '-v',
      `${stack!.projectName}_notes:/data/notes:ro`,
      'debian:trixie-slim',
      'sh',
      '-c',
      "cd /data && find audio notes -type f ! -path '*/.tmp/*' -print0 | xargs -0 -r sha256sum"
    )
    return new Map(
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(66), l.slice(0, 64)] as [string, string])
    )
  }

  it('should restore every file, row and note after the volumes and the database are destroyed', async () => {
    const env = settings('repo')
    const token = await s.login()
    const ids = [await note(token), await note(token)]
    const before = await Promise.all(ids.map((id) => s.json<unknown>(token, `/api/notes/${id}`)))

    const backup = await ops('backup.ts', [], env)
    console.log(backup.out)
    expect(backup.code, backup.out).toBe(0)
    expect(backup.out).toMatch(/Backup [0-9a-f]{8}: \d+ files/)
    const dumped = await ops('backup-verify.ts', [], env)
    expect(dumped.code, dumped.out).toBe(0)
    const manifest = JSON.parse(await restic(['dump', 'latest', '/manifest.json'], env)) as Manifest
    expect(manifest.tables['public.notes']).toBeGreaterThanOrEqual(2)

    // Destroy the volumes and the database; the stack comes back empty.
    await s.compose('down', '-v', '--timeout', '20')
    await s.compose('up', '-d', '--wait', '--wait-timeout', '180')
    await edgeUp()
    expect(await s.countRows('notes')).toBe(0)

    const restore = await ops('restore.ts', ['--yes'], env)
    console.log(restore.out)
    expect(restore.code, restore.out).toBe(0)

    // Checked before any request, which would add audit rows. The workers table is left out:
    // the restarted API registers itself there as it starts (its container is a new one).
    for (const [table, count] of Object.entries(manifest.tables))
      if (table !== 'public.workers') expect(await s.countRows(table), table).toBe(count)
    const sums = await volumeSums()
    const expected = manifest.files.filter((f) => !f.path.startsWith('db/'))
    expect(new Map(expected.map((f) => [f.path, f.sha256]))).toEqual(sums)

    await edgeUp()
    const again = await s.login()
    expect(await Promise.all(ids.map((id) => s.json<unknown>(again, `/api/notes/${id}`)))).toEqual(
      before
    )
  })

  it('should hold every recording acknowledged before it began, while uploads go on', async () => {
    const env = settings('burst')
    const token = await s.login()
    const wav = await consultationWav()
    const acked: { id: string; at: number }[] = []
    let stop = false
    let sent = 0
    const uploader = async () => {
      while (!stop && sent < 6) {
        sent++
        const res = await s.upload(token, wav)
        if (res.status === 202)
          acked.push({ id: ((await res.json()) as { id: string }).id, at: Date.now() })
        else await res.arrayBuffer()
        await new Promise((r) => setTimeout(r, 400))
      }
    }
    const burst = [uploader(), uploader()]
    await until('the first uploads', async () => acked.length >= 2)
    const startedAt = Date.now()
    const backup = await ops('backup.ts', [], env)
    stop = true
    await Promise.all(burst)
    console.log(backup.out)
    expect(backup.code, backup.out).toBe(0)
    const manifest = JSON.parse(await restic(['dump', 'latest', '/manifest.json'], env)) as Manifest
    const audio = manifest.files.filter((f) => f.path.startsWith('audio/')).map((f) => f.path)
    const before = acked.filter((a) => a.at < startedAt)
    expect(before.length).toBeGreaterThanOrEqual(2)
    for (const a of before)
      expect(
        audio.some((p) => p.includes(a.id)),
        a.id
      ).toBe(true)
    // No torn file: every file restored from the repository matches its manifest entry.
    const verify = await ops('backup-verify.ts', [], env)
    expect(verify.code, verify.out).toBe(0)
    // Let the burst finish, so the next tests start with an idle queue.
    await until(
      'the burst to be transcribed',
      async () => {
        for (const a of acked) {
          const r = await s.json<SettledRecording>(token, `/api/recordings/${a.id}`)
          if (r.status !== 'done' && r.status !== 'failed') return false
        }
        return true
      },
      600_000
    )
  })

  it('should restore an older snapshot into a stopped stack', async () => {
    const env = settings('older')
    const token = await s.login()
    const kept = await note(token)
    const keptNote = await s.json<unknown>(token, `/api/notes/${kept}`)
    const older = await ops('backup.ts', [], env)
    expect(older.code, older.out).toBe(0)
    const olderId = /Backup ([0-9a-f]{8})/.exec(older.out)![1]!
    const later = await note(token)
    const newer = await ops('backup.ts', [], env)
    expect(newer.code, newer.out).toBe(0)

    await s.compose('stop', '--timeout', '20')
    const restore = await ops('restore.ts', ['--snapshot', olderId, '--yes'], env)
    console.log(restore.out)
    expect(restore.code, restore.out).toBe(0)
    expect(restore.out).toContain('the stack was not running')
    await s.compose('up', '-d', '--wait', '--wait-timeout', '180')
    await edgeUp()
    const t2 = await s.login()
    expect(await s.json<unknown>(t2, `/api/notes/${kept}`)).toEqual(keptNote)
    expect(
      (await s.request(`/api/notes/${later}`, { headers: { authorization: `Bearer ${t2}` } }))
        .status
    ).toBe(404)

    // Back to the newest state, so the suite goes on with all its data.
    const back = await ops('restore.ts', ['--yes'], env)
    expect(back.code, back.out).toBe(0)
    await edgeUp()
    const t3 = await s.login()
    expect(
      (await s.request(`/api/notes/${later}`, { headers: { authorization: `Bearer ${t3}` } }))
        .status
    ).toBe(200)
  })

  it('should name a damaged pack file in verify, and refuse to restore from it', async () => {
    const env = settings('damaged')
    const backup = await ops('backup.ts', [], env)
    expect(backup.code, backup.out).toBe(0)

    // Flip one byte in the middle of the largest pack (audio data).
    const packs: { file: string; size: number }[] = []
    for (const sub of await readdir(join(env.RESTIC_REPOSITORY!, 'data'))) {
      for (const name of await readdir(join(env.RESTIC_REPOSITORY!, 'data', sub))) {
        const file = join(env.RESTIC_REPOSITORY!, 'data', sub, name)
        packs.push({ file, size: (await stat(file)).size })
      }
    }
    const pack = packs.sort((a, b) => b.size - a.size)[0]!
    const bytes = await readFile(pack.file)
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01
    await writeFile(pack.file, bytes)
    const packId = pack.file.split('/').at(-1)!

    const verify = await ops('backup-verify.ts', [], env)
    console.log(verify.out)
    expect(verify.code).toBe(1)
    expect(verify.out).toContain(`damaged pack ${packId}`)
    expect(verify.out).toMatch(/damaged: (changed|missing) audio\//)

    const token = await s.login()
    const notesBefore = await s.json<{ items: unknown[] }>(token, '/api/notes?limit=100')
    const restore = await ops('restore.ts', ['--yes'], env)
    console.log(restore.out)
    expect(restore.code).toBe(1)
    expect(restore.out).toMatch(/refusing to restore: snapshot [0-9a-f]{8} is damaged/)
    expect((await s.request('/health/live')).status).toBe(200)
    expect(await s.json<{ items: unknown[] }>(token, '/api/notes?limit=100')).toEqual(notesBefore)
  })
})
