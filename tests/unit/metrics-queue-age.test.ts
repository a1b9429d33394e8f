import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { consultationWav } from '../support/audio.ts'
import { createHarness } from '../support/harness.ts'
import type { Harness } from '../support/harness.ts'

// The monitor's "transcription queue stuck" alert reads this gauge from /metrics.
describe('metrics: age of the oldest waiting job', () => {
  let h: Harness
  beforeEach(async () => {
    // No speech-to-text provider: recordings wait, as they do when one is down.
    h = await createHarness({ stt: 'none' })
  })
  afterEach(async () => {
    await h.close()
  })

  const oldest = async () => {
    const text = await (await h.request('/metrics')).text()
    const m = /^scribe_jobs_oldest_pending_age_seconds (\S+)$/m.exec(text)
    if (!m) throw new Error('scribe_jobs_oldest_pending_age_seconds is not exported')
    return Number(m[1])
  }

  it('should be 0 with an empty queue and the waiting job’s age once one waits', async () => {
    expect(await oldest()).toBe(0)
    const doc = await h.addUser('doc@example.org')
    expect((await h.upload(doc.token, await consultationWav())).status).toBe(202)
    await h.db.query(`UPDATE jobs SET created_at = now() - interval '20 minutes'`)
    const age = await oldest()
    expect(age).toBeGreaterThanOrEqual(1200)
    expect(age).toBeLessThan(1260)
  })
})
