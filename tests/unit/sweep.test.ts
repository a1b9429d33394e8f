import { utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'
import { consultationWav } from '../support/audio.ts'
import { sweepOrphanAudio } from '../../api/src/jobs/sweep.ts'
import { silentLogger } from '../../api/src/lib/logger.ts'
import { systemClock } from '../../api/src/lib/clock.ts'

describe('sweepOrphanAudio', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness({ stt: 'none' })
  })
  afterAll(() => h.close())

  it('should move old unacknowledged audio aside and leave acknowledged and recent files alone', async () => {
    const doc = await h.addUser('doc@example.org')
    const { id } = (await (await h.upload(doc.token, await consultationWav())).json()) as {
      id: string
    }
    const [rec] = await h.db.query<{ audio_path: string }>(
      'SELECT audio_path FROM recordings WHERE id = $1',
      [id]
    )
    await h.files.writeAtomic('audio', 'ab/crashed-before-commit.wav', new Uint8Array([1, 2, 3]))
    await h.files.writeAtomic('audio', 'ab/still-uploading.wav', new Uint8Array([4, 5, 6]))
    const old = new Date(Date.now() - 2 * 3600_000)
    await utimes(join(h.config.AUDIO_DIR, 'ab/crashed-before-commit.wav'), old, old)
    await utimes(join(h.config.AUDIO_DIR, rec!.audio_path), old, old)

    const moved = await sweepOrphanAudio({
      db: h.db,
      files: h.files,
      logger: silentLogger,
      clock: systemClock,
    })

    expect(moved).toEqual(['ab/crashed-before-commit.wav'])
    const left = (await h.files.list('audio')).map((f) => f.path).sort()
    expect(left).toEqual([rec!.audio_path, 'ab/still-uploading.wav'].sort())
    expect(await h.files.size('audio', '.orphans/ab/crashed-before-commit.wav')).toBe(3)
  })
})

describe('the periodic orphan sweep', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness({
      stt: 'none',
      env: { ORPHAN_SWEEP_INTERVAL_SECONDS: '1', ORPHAN_MIN_AGE_SECONDS: '60' },
    })
  })
  afterAll(() => h.close())

  it('should move an orphan left after start-up aside on a later run, never a committed file', async () => {
    const doc = await h.addUser('doc@example.org')
    const { id } = (await (await h.upload(doc.token, await consultationWav())).json()) as {
      id: string
    }
    const [rec] = await h.db.query<{ audio_path: string }>(
      'SELECT audio_path FROM recordings WHERE id = $1',
      [id]
    )
    // Both older than the 60 s threshold; only one has a recording row.
    await h.files.writeAtomic('audio', 'cd/crashed-later.wav', new Uint8Array([7, 8, 9]))
    const old = new Date(Date.now() - 120_000)
    await utimes(join(h.config.AUDIO_DIR, 'cd/crashed-later.wav'), old, old)
    await utimes(join(h.config.AUDIO_DIR, rec!.audio_path), old, old)

    const until = Date.now() + 10_000
    while ((await h.files.size('audio', '.orphans/cd/crashed-later.wav')) === undefined) {
      if (Date.now() > until) throw new Error('the periodic sweep did not run within 10 s')
      await new Promise((r) => setTimeout(r, 100))
    }
    expect((await h.files.list('audio')).map((f) => f.path)).toEqual([rec!.audio_path])
    const played = await h.request(`/api/recordings/${id}/audio`, { headers: doc.auth })
    expect(played.status).toBe(200)
  })
})
