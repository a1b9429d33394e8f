import { defineDrill } from '../lib/drill.ts'
import { sleep, within } from '../lib/faults.ts'

// The filler lives in the volume's temporary folder, which the api never lists as recordings.
const FILLER = '/data/audio/.tmp/chaos-filler'

export default defineDrill({
  name: 'disk-full',
  title: 'the audio volume nearly full',
  hypothesis:
    'With the audio volume full, uploads are refused with a 507 JSON error and nothing torn is kept, readiness names the audio volume, and uploads are accepted again as soon as space returns.',
  fault: 'a file fills the chaos stack’s 256 MB audio tmpfs to its last 64 KB, for 5 s',
  needs: ['chaos-overlay'],
  recoverWithinMs: 30_000,
  async method({ target, token, expect, faultIn }) {
    const api = target.container('api')
    const partFiles = async () =>
      (await target.docker('exec', api, 'find', '/data/audio/.tmp', '-name', '*.part'))
        .split('\n')
        .filter(Boolean)
    const before = await partFiles()
    await target
      .docker(
        'exec',
        api,
        'sh',
        '-c',
        `avail=$(df -B1 --output=avail /data/audio | tail -1); head -c $((avail - 65536)) /dev/zero > ${FILLER}; df -h /data/audio | tail -1`
      )
      .then((df) => faultIn(`audio volume filled: ${df.replace(/\s+/g, ' ')}`))
    const ready = await within(10_000, async () =>
      (await target.readiness()).failing.includes('audio')
    )
    expect(
      'readiness answers 503 naming the audio volume',
      ready,
      (await target.readiness()).body.slice(0, 160)
    )
    // One direct upload, to see the refusal itself (the workload's retries see it too).
    // 3 MB: most of the body is still on its way when the disk refuses its first 64 KB.
    const bytes = new Uint8Array(3_000_000)
    bytes.set(new TextEncoder().encode('RIFF'), 0)
    bytes.set(new TextEncoder().encode('WAVEfmt '), 8)
    const res = await target.upload(token, bytes).catch((err: unknown) => err as Error)
    if (res instanceof Error) {
      expect(
        'an upload is refused with 507 JSON',
        false,
        `connection error: ${String(res.cause ?? res)}`
      )
    } else {
      const text = await res.text()
      // The API reads and throws away the rest of the body before it answers, so its own 507
      // reaches the client through the edge (the edge's 503 here was the broken-pipe defect).
      expect(
        'an upload is refused with 507 INSUFFICIENT_STORAGE JSON',
        res.status === 507 && text.includes('"INSUFFICIENT_STORAGE"'),
        `HTTP ${res.status} ${text.slice(0, 100)}`
      )
    }
    // Refused uploads must leave no partial file behind (an upload cut by an earlier drill's
    // kill may have left one, so only new ones count); in-flight ones get 5 s to be refused.
    let last = 0
    const clean = await within(5_000, async () => {
      last = (await partFiles()).filter((n) => !before.includes(n)).length
      return last === 0
    })
    expect('no partial upload left in the volume', clean, `${last} new .part file(s)`)
    await sleep(5_000)
  },
  rollbacks: [
    {
      name: 'remove the filler',
      run: async ({ target }) =>
        void (await target.docker('exec', target.container('api'), 'rm', '-f', FILLER)),
    },
  ],
})
