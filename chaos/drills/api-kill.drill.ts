import { defineDrill } from '../lib/drill.ts'
import { ensureHealthy, sleep, within } from '../lib/faults.ts'

export default defineDrill({
  name: 'api-kill',
  title: 'docker kill of the api mid-upload and mid-transcription',
  hypothesis:
    'A SIGKILLed api loses nothing: an upload cut mid-stream is retried with its key and stored once, and a transcription cut mid-call is picked up again after its lease.',
  fault:
    'docker kill <api> while a slow upload streams and transcriptions are in flight; docker start 3 s later',
  needs: ['chaos-overlay'],
  recoverWithinMs: 90_000,
  async method({ target, workload, note, expect, faultIn }) {
    const fake = target.fake!
    // Held provider answers, so the kill lands while transcriptions are in flight.
    await fake.delay(2_500)
    let streaming = false
    void workload.upload({
      origin: 'drill',
      slowPieces: 12,
      slowPauseMs: 400,
      onStarted: () => (streaming = true),
    })
    const inFlight = await within(
      15_000,
      async () => streaming && (await fake.state()).in_flight > 0
    )
    note(`${(await fake.state()).in_flight} transcription(s) in flight, a slow upload streaming`)
    expect('a transcription was in flight when the api was killed', inFlight)
    await target.docker('kill', target.container('api'))
    faultIn('api killed (SIGKILL)')
    const res = await target.request('/api/notes?limit=1', { signal: AbortSignal.timeout(12_000) })
    const body = await res.text()
    expect(
      'the edge answers a JSON 502/503 while the api is gone',
      res.status >= 502 && res.status <= 504 && body.startsWith('{"error"'),
      `HTTP ${res.status}`
    )
    await sleep(3_000)
  },
  rollbacks: [
    {
      name: 'start the api and wait until healthy',
      run: ({ target }) => ensureHealthy(target, 'api'),
    },
    {
      name: 'the provider answers at once again',
      run: async ({ target }) => void (await target.fake!.reset()),
    },
  ],
})
